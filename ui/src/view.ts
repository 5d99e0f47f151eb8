import { DAY, floorTo, HOUR, MINUTE } from './time';

/** How much time the timeline shows at once. */
export type Zoom = 'day' | 'week' | 'month';

export const ZOOMS: readonly Zoom[] = ['day', 'week', 'month'];
export const SPAN: Record<Zoom, number> = { day: DAY, week: 7 * DAY, month: 30 * DAY };
/** What a drag snaps to: about a few pixels at each zoom on a laptop screen. */
export const SNAP: Record<Zoom, number> = { day: 15 * MINUTE, week: HOUR, month: HOUR };

export interface View {
  readonly zoom: Zoom;
  readonly start: number;
}

export function viewEnd(view: View): number {
  return view.start + SPAN[view.zoom];
}

/** The window a zoom opens on: the current time a little after the left edge. */
export function viewAround(zoom: Zoom, now: number): View {
  if (zoom === 'day') return { zoom, start: floorTo(now, HOUR) - 2 * HOUR };
  return { zoom, start: floorTo(now, DAY) - (zoom === 'week' ? DAY : 3 * DAY) };
}

/** Half a window back or forward: the other half stays in sight for context. */
export function shifted(view: View, direction: -1 | 1): View {
  return { ...view, start: view.start + (direction * SPAN[view.zoom]) / 2 };
}

/** Where an instant falls across the window, in percent, clipped to the window. */
export function percentOf(view: View, ms: number): number {
  const fraction = (ms - view.start) / SPAN[view.zoom];
  return Math.min(100, Math.max(0, fraction * 100));
}

/** Tick marks for the axis: every 2 hours of a day, each day of a week, every other day of a month. */
export function ticks(view: View): number[] {
  const step = view.zoom === 'day' ? 2 * HOUR : view.zoom === 'week' ? DAY : 2 * DAY;
  const end = viewEnd(view);
  const result: number[] = [];
  for (let t = Math.ceil(view.start / step) * step; t < end; t += step) result.push(t);
  return result;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export function tickLabel(zoom: Zoom, ms: number): string {
  const iso = new Date(ms).toISOString();
  if (zoom === 'day') return iso.slice(11, 16);
  const day = iso.slice(5, 10);
  return zoom === 'week' ? `${WEEKDAYS[new Date(ms).getUTCDay()]} ${day}` : day;
}
