import { recorded } from '../../test/node-health/recorded-notifications';
import { readIronicNotification } from './consumer/ironic-notification';
import { healthProblem } from './health-verdict';

const DEFAULT_STATES = ['enroll', 'clean failed', 'deploy failed'];
const problemOf = (name: string) => healthProblem(readIronicNotification(recorded(name).body).reading, DEFAULT_STATES);

describe('healthProblem', () => {
  it.each([
    ['maintenance_set.end on', 'maintenance: disk replacement'],
    ['provision_set.error clean failed', 'provision state: clean failed'],
    ['provision_set.error deploy failed', 'provision state: deploy failed'],
    ['create.end enroll', 'provision state: enroll'],
    ['maintenance_set.end off', null],
    ['provision_set.end available', null],
    ['provision_set.success manageable', null],
    ['update.end owner', null],
    ['power_set.end', null],
  ])('%s → %s', (name, reason) => {
    expect(problemOf(name)).toBe(reason);
  });

  it('names a fault first, then maintenance without a reason, then the state', () => {
    const reading = {
      maintenance: true,
      maintenanceReason: null,
      provisionState: 'clean failed',
      fault: 'clean failure',
      owner: null,
      resourceClass: null,
    };
    expect(healthProblem(reading, DEFAULT_STATES)).toBe(
      'fault: clean failure; maintenance; provision state: clean failed',
    );
  });

  it('follows the configured provision states', () => {
    const reading = {
      maintenance: false,
      maintenanceReason: null,
      provisionState: 'manageable',
      fault: null,
      owner: null,
      resourceClass: null,
    };
    expect(healthProblem(reading, DEFAULT_STATES)).toBeNull();
    expect(healthProblem(reading, ['manageable'])).toBe('provision state: manageable');
  });

  it('keeps a long reason within the 255 characters the tables hold', () => {
    const reading = {
      maintenance: true,
      maintenanceReason: 'x'.repeat(400),
      provisionState: null,
      fault: null,
      owner: null,
      resourceClass: null,
    };
    const reason = healthProblem(reading, DEFAULT_STATES)!;
    expect(reason).toHaveLength(255);
    expect(reason.endsWith('…')).toBe(true);
  });
});
