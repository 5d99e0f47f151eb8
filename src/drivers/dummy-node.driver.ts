import { Inject, Injectable, Logger } from '@nestjs/common';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ESI_LEAP_CONFIG } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { ClientError, NodeNotFound } from '../common/errors/esi-leap.exceptions';
import { pyRepr } from '../common/http/python-repr';
import { characterCount, STORED_WIDTHS } from '../common/http/stored-widths';
import {
  InventoryNode,
  LeaseHolder,
  NodeHealthReading,
  NodeListFilters,
  ResourceDriver,
  ResourceInfo,
} from './resource-driver';

/** How old a node document list decoration may use (`getMany`). */
const LIST_STALENESS_MS = 1000;
/**
 * How long after a directory change its listing is read again on every list: an entry added
 * within the file system's timestamp granularity of the read may leave the mtime unchanged.
 */
const DIRECTORY_SETTLE_MS = 1000;

interface DummyNodeFile {
  project_owner_id?: string | null;
  project_id?: string;
  lease_uuid?: string;
  resource_class?: string;
  properties?: Record<string, unknown>;
  power_state?: string;
  provision_state?: string;
  /** Health, as Ironic reports it (docs/node-health.md): edit the file to take a node out of service. */
  maintenance?: boolean;
  maintenance_reason?: string | null;
  fault?: string | null;
  [key: string]: unknown;
}

/** A parsed node file, the version of the file it came from, and when that was last checked. */
interface ParsedFile {
  readonly dir: string;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  checkedAt: number;
  readonly doc: DummyNodeFile;
  /** What lists show of this version, made on the first list that reads it. */
  listed?: InventoryNode;
}

/** The node names of a directory, as of one version of it (its inode and mtime). */
interface DirectoryListing {
  readonly dir: string;
  readonly ino: number;
  readonly mtimeMs: number;
  readonly names: readonly string[];
}

/**
 * File-backed fake node for development: node N is the JSON file `<dummy_node_dir>/N`. The
 * directory is read from config at use time (upstream read it at import, before the config
 * file was parsed), and files are replaced atomically so a reader never sees half a document.
 * The files are a few hundred bytes on local disk, so they are read and written synchronously:
 * a thread-pool round trip per call cost more than the I/O itself, and on SQLite the manager
 * holds the only write lock while it calls the driver (docs/performance.md).
 */
@Injectable()
export class DummyNodeDriver implements ResourceDriver {
  readonly resourceType = 'dummy_node';
  private readonly logger = new Logger('esi-leap.dummy_node');
  private readonly parsed = new Map<string, ParsedFile>();
  private listing: DirectoryListing | null = null;

  constructor(@Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig) {}

  private fileOf(uuid: string): string | null {
    return isNodeName(uuid) ? path.join(this.config.dummy_node.dummy_node_dir, uuid) : null;
  }

  /**
   * The id verbatim, when it can name a node: hidden files (this driver's own spares among
   * them) are a 404 like a missing node, and an id longer than the leases' resource_uuid
   * column is a 400.
   */
  async resolveIdent(ident: string): Promise<string> {
    if (!isNodeName(ident)) throw this.notFound(ident);
    const maxLength = STORED_WIDTHS.resourceUuid;
    const length = characterCount(ident);
    if (length > maxLength) {
      throw new ClientError(`A dummy_node id is at most ${maxLength} characters long; ${pyRepr(ident)} has ${length}.`);
    }
    return ident;
  }

  /** Upstream's FileNotFoundError text, with the node's id where upstream showed the server's path. */
  notFoundReason(uuid: string): string {
    return `[Errno 2] No such file or directory: ${pyRepr(uuid)}`;
  }

  staticName(uuid: string): string {
    return `dummy-node-${uuid}`;
  }

  async get(uuid: string): Promise<ResourceInfo | null> {
    const doc = this.read(uuid);
    return doc ? this.toInfo(uuid, doc) : null;
  }

  /**
   * For list decoration: documents read within the last LIST_STALENESS_MS are used without
   * looking at the file again, as the Ironic driver serves lists from its node-list cache.
   * Single reads (`get`, used by access checks) always look.
   */
  async getMany(uuids: readonly string[]): Promise<Map<string, ResourceInfo>> {
    const result = new Map<string, ResourceInfo>();
    const checkedSince = Date.now() - LIST_STALENESS_MS;
    for (const uuid of new Set(uuids)) {
      const doc = this.read(uuid, checkedSince);
      if (doc) result.set(uuid, this.toInfo(uuid, doc));
    }
    return result;
  }

  /**
   * Every node file, each looked at (`stat`) as a single read does, so an edit in place shows
   * at once; `recentEnough` lists use a file looked at within LIST_STALENESS_MS as it was, as
   * `getMany` does (a `stat` of every file of a 1,000-node fleet costs ~3 ms per list). The
   * directory is read again only when its mtime says entries changed, and a node's listed form
   * is made once per version of its file.
   */
  async listNodes(filters: NodeListFilters): Promise<InventoryNode[]> {
    const names = this.nodeNames();
    const checkedSince = filters.recentEnough ? Date.now() - LIST_STALENESS_MS : Infinity;
    const nodes: InventoryNode[] = [];
    for (const name of names) {
      const parsed = this.readParsed(name, checkedSince);
      if (!parsed) continue;
      const node = this.listedForm(name, parsed);
      if (filters.resourceClass !== undefined && node.resourceClass !== filters.resourceClass) continue;
      if (filters.owner !== undefined && node.ownerProjectId !== filters.owner) continue;
      if (filters.lessee !== undefined && node.lesseeProjectId !== filters.lessee) continue;
      // Shared, not copied (a copy of every node per list showed in profiles): frozen instead.
      nodes.push(node);
    }
    return nodes;
  }

  /** From the node files, read afresh; a missing file is a node that no longer exists. */
  async readHealth(uuids: readonly string[]): Promise<Map<string, NodeHealthReading>> {
    const result = new Map<string, NodeHealthReading>();
    for (const uuid of new Set(uuids)) {
      const doc = this.read(uuid);
      if (!doc) continue;
      result.set(uuid, {
        maintenance: doc.maintenance === true,
        maintenanceReason: textOrNull(doc.maintenance_reason),
        provisionState: textOrNull(doc.provision_state),
        fault: textOrNull(doc.fault),
        owner: textOrNull(doc.project_owner_id),
        resourceClass: textOrNull(doc.resource_class),
      });
    }
    return result;
  }

  async setLease(uuid: string, lease: LeaseHolder): Promise<void> {
    const doc = this.read(uuid);
    if (!doc) throw this.notFound(uuid);
    this.write(uuid, { ...doc, lease_uuid: lease.uuid, project_id: lease.projectId });
  }

  async removeLease(uuid: string, lease: LeaseHolder): Promise<void> {
    const doc = this.read(uuid);
    // Only clean a node that still carries this lease: a retry or a late child must not
    // strip a lease that has since been handed to someone else.
    if (!doc || doc.lease_uuid !== lease.uuid) return;
    const rest: DummyNodeFile = { ...doc };
    delete rest.lease_uuid;
    delete rest.project_id;
    this.write(uuid, rest);
  }

  /** The sorted node names of the directory (none when it is missing). */
  private nodeNames(): readonly string[] {
    const dir = this.config.dummy_node.dummy_node_dir;
    // Before the read: a change made during it then shows as a newer mtime next time.
    const stat = statOrNull(dir);
    const cached = this.listing;
    if (stat && cached && cached.dir === dir && cached.ino === stat.ino && cached.mtimeMs === stat.mtimeMs) {
      return cached.names;
    }
    let names: string[];
    try {
      names = fs.readdirSync(dir).filter((n) => isNodeName(n) && !n.endsWith('.tmp')).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const settled = stat !== null && Date.now() - stat.mtimeMs > DIRECTORY_SETTLE_MS;
    this.listing = settled ? { dir, ino: stat.ino, mtimeMs: stat.mtimeMs, names } : null;
    return names;
  }

  /** What lists show of a node: made once per version of its file (see listNodes). */
  private listedForm(uuid: string, parsed: ParsedFile): InventoryNode {
    if (!parsed.listed) {
      const doc = parsed.doc;
      parsed.listed = Object.freeze({
        ...this.toInfo(uuid, doc),
        maintenance: doc.maintenance === true,
        targetProvisionState: null,
        targetPowerState: null,
        hasLeaseUuidKey: typeof doc.lease_uuid === 'string' && doc.lease_uuid !== '',
      });
    }
    return parsed.listed;
  }

  /** The node's document (see readParsed). */
  private read(uuid: string, checkedSince = Infinity): DummyNodeFile | null {
    return this.readParsed(uuid, checkedSince)?.doc ?? null;
  }

  private notFound(uuid: string): NodeNotFound {
    return new NodeNotFound({ uuid, resource_type: this.resourceType, err: this.notFoundReason(uuid) });
  }

  private toInfo(uuid: string, doc: DummyNodeFile): ResourceInfo {
    return {
      uuid,
      name: this.staticName(uuid),
      resourceClass: doc.resource_class ?? '',
      properties: doc.properties ?? {},
      ownerProjectId: doc.project_owner_id ?? null,
      lesseeProjectId: doc.project_id ?? '',
      leaseUuid: doc.lease_uuid ?? '',
      provisionState: doc.provision_state ?? '',
      powerState: doc.power_state ?? '',
    };
  }

  /**
   * The node's document, parsed once per version of its file: lists read every node of the
   * page, and a `stat` costs a third of reading and parsing. A version is the file's inode,
   * size and mtime; this driver's writes replace the inode, and editors change the mtime.
   * A document whose file was checked at or after `checkedSince` (epoch ms) is returned
   * without a look. Callers copy before changing a document.
   */
  private readParsed(uuid: string, checkedSince = Infinity): ParsedFile | null {
    const dir = this.config.dummy_node.dummy_node_dir;
    const cached = this.parsed.get(uuid);
    if (cached && cached.dir === dir && cached.checkedAt >= checkedSince) return cached;
    const file = this.fileOf(uuid);
    if (!file) return null;
    const stat = statOrNull(file);
    if (!stat || !stat.isFile()) {
      this.parsed.delete(uuid);
      return null;
    }
    const checkedAt = Date.now();
    if (cached && cached.dir === dir && cached.ino === stat.ino && cached.size === stat.size && cached.mtimeMs === stat.mtimeMs) {
      cached.checkedAt = checkedAt;
      return cached;
    }
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return null;
      throw err;
    }
    const doc = parseDocument(text);
    if (!doc) {
      this.parsed.delete(uuid);
      this.logger.error(`dummy node file ${file} is not a JSON object; treating the node as missing`);
      return null;
    }
    const parsed: ParsedFile = { dir, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, checkedAt, doc };
    this.parsed.set(uuid, parsed);
    return parsed;
  }

  /**
   * Replaces the node file atomically (rename), without creating a file per write: creating
   * an inode costs about a millisecond on ext4 here, writing into an existing one a few
   * microseconds. The node keeps a hidden spare, `.<uuid>.spare`: the new document goes into
   * the spare, the live file is linked aside, the spare renamed over it, and the old inode
   * becomes the next spare. Writers of one node never overlap: a node's driver calls are made
   * by the one process that holds a claim on it (LeaseClaims); readers see the old or the new
   * document, never a mix.
   */
  private write(uuid: string, doc: DummyNodeFile): void {
    const file = this.fileOf(uuid);
    if (!file) throw this.notFound(uuid);
    const dir = path.dirname(file);
    const spare = path.join(dir, `.${uuid}.spare`);
    const previous = path.join(dir, `.${uuid}.previous`);
    writeInPlace(spare, JSON.stringify(doc, null, 2));
    keepInode(file, previous);
    fs.renameSync(spare, file);
    try {
      fs.renameSync(previous, spare);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

/**
 * A node is a plain file name in the directory: nothing that could leave it, and no hidden
 * file, which is where this driver keeps each node's spare (`.<id>.spare`, see write()).
 */
function isNodeName(id: string): boolean {
  return id !== '' && !id.startsWith('.') && !/[/\\\0]/.test(id);
}

/** A hand-written file may hold anything: only a non-empty string counts. */
function textOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function statOrNull(file: string): fs.Stats | null {
  try {
    return fs.statSync(file, { throwIfNoEntry: false }) ?? null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw err;
  }
}

function parseDocument(text: string): DummyNodeFile | null {
  try {
    const doc = JSON.parse(text) as unknown;
    if (doc && typeof doc === 'object' && !Array.isArray(doc)) return doc as DummyNodeFile;
  } catch {
    // a malformed file is reported like a missing one
  }
  return null;
}

/** Overwrites `file` (created when missing) with `text`. */
function writeInPlace(file: string, text: string): void {
  const bytes = Buffer.from(text);
  const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
  try {
    fs.writeSync(fd, bytes, 0, bytes.length, 0);
    fs.ftruncateSync(fd, bytes.length);
  } finally {
    fs.closeSync(fd);
  }
}

/** A second name for `file`'s inode, so replacing `file` does not free it (none if `file` is gone). */
function keepInode(file: string, alias: string): void {
  try {
    fs.linkSync(file, alias);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code !== 'EEXIST') throw err;
    // Left by an interrupted write: that inode is not live any more.
    fs.unlinkSync(alias);
    fs.linkSync(file, alias);
  }
}
