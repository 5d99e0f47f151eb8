#!/usr/bin/env node
require('../dist/src/main').runMain('esi-leap-serial-console-proxy');
