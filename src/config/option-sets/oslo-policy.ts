/** oslo.policy's [oslo_policy] options (`oslo_policy/opts.py`, defaults as of oslo.policy 4.4). */
import { boolOpt, choiceOpt, fromNamespace, multiStrOpt, strOpt } from '../option-types';

export const osloPolicyOptions = fromNamespace('oslo.policy', {
  enforce_scope: boolOpt(
    'This option controls whether or not to enforce scope when evaluating policies. If True, the scope of ' +
      'the token used in the request is compared to the scope_types of the policy being enforced.',
    true,
    { deprecatedForRemoval: 'OpenStack will always enforce scope checks.' },
  ),
  enforce_new_defaults: boolOpt(
    'This option controls whether or not to use old deprecated defaults when evaluating policies. If True, ' +
      'the old deprecated defaults are not going to be evaluated.',
    true,
  ),
  policy_file: strOpt(
    'The relative or absolute path of a file that maps roles to permissions for a given service. Relative ' +
      'paths must be specified in relation to the configuration file setting this option.',
    { default: 'policy.yaml', deprecatedNames: [{ section: 'DEFAULT', name: 'policy_file' }] },
  ),
  policy_default_rule: strOpt('Default rule. Enforced when a requested rule is not found.', {
    default: 'default',
    deprecatedNames: [{ section: 'DEFAULT', name: 'policy_default_rule' }],
  }),
  policy_dirs: multiStrOpt(
    'Directories where policy configuration files are stored. They can be relative to any directory in the ' +
      'search path defined by the config_dir option, or absolute paths. The file defined by policy_file must ' +
      'exist for these directories to be searched. Missing or empty directories are ignored.',
    ['policy.d'],
    { deprecatedNames: [{ section: 'DEFAULT', name: 'policy_dirs' }] },
  ),
  remote_content_type: choiceOpt(
    'Content Type to send and receive data for REST based policy check',
    ['application/x-www-form-urlencoded', 'application/json'],
    'application/x-www-form-urlencoded',
  ),
  remote_ssl_verify_server_crt: boolOpt('server identity verification for REST based policy check', false),
  remote_ssl_ca_crt_file: strOpt('Absolute path to ca cert file for REST based policy check'),
  remote_ssl_client_crt_file: strOpt('Absolute path to client cert for REST based policy check'),
  remote_ssl_client_key_file: strOpt('Absolute path client key file REST based policy check'),
});
