#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Checks policy/pathvisor-policy.schema.json against the sample policies, and, when the path
of the pathvisor executable is given, that `pathvisor policy check` rejects exactly the samples
that the schema rejects (plus those that JSON Schema cannot express).

    check-schema.py [PATHVISOR]

Samples (tests/policy-samples/):
  good/              valid: the schema and the engine accept every file
  bad/               valid JSON with one broken thing: the schema and the engine reject it
  bad-engine-only/   broken in ways JSON Schema cannot see (duplicate keys and paths, syntax,
                     byte lengths, ...): only the engine is checked
  multi-error/       several errors in one file: all of them must be reported
policy/examples/*.json must be valid as well.

A file whose text contains "(error on line N)" or "(errors on lines N, M, ...)" must make the
engine print an error for each of those lines.

Prints one line per check and "N passed, M failed". Exits 0 when all checks pass, 1 when one
fails, 77 (skip) when the python3 jsonschema module is missing.

Use /usr/bin/python3: that is where Debian's python3-jsonschema lives.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

try:
    import jsonschema
except ImportError:
    print('SKIP: the python3 jsonschema module is not installed (Debian: python3-jsonschema)')
    sys.exit(77)

ROOT = Path(__file__).resolve().parent.parent.parent
SCHEMA = ROOT / 'policy' / 'pathvisor-policy.schema.json'
ERRNO_NAMES_C = ROOT / 'policy' / 'errno-names.c'
MAN_PAGE = ROOT / 'docs' / 'pathvisor-policy.5'
EXAMPLES = ROOT / 'policy' / 'examples'
SAMPLES = ROOT / 'tests' / 'policy-samples'

MAX_FILE_SIZE = 64 * 1024 * 1024
TIMEOUT = 60
ANNOTATION = re.compile(rb'\(errors? on lines? ([0-9]+(?:, *[0-9]+)*)\)')

passed = 0
failed = 0


def report(ok, what, detail=''):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
    line = '%s: %s' % ('PASS' if ok else 'FAIL', what)
    if detail:
        line += ' (%s)' % detail
    print(line, flush=True)


def rel(path):
    try:
        return str(Path(path).relative_to(ROOT))
    except ValueError:
        return str(path)


class StrictJSONError(ValueError):
    pass


def _no_duplicates(pairs):
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise StrictJSONError('duplicate key %r' % k)
        obj[k] = v
    return obj


def _no_constant(name):
    raise StrictJSONError('%s is not JSON' % name)


def load_strict(path):
    """RFC 8259 as the engine reads it, as far as Python's json module can tell: UTF-8, no
    duplicate keys, no NaN/Infinity. Raises ValueError (incl. UnicodeDecodeError)."""
    text = Path(path).read_bytes().decode('utf-8')
    return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)


def samples(directory):
    return sorted(Path(directory).glob('*.json'))


def expected_lines(path):
    m = ANNOTATION.search(Path(path).read_bytes())
    if not m:
        return []
    return [int(x) for x in re.split(rb', *', m.group(1))]


def error_places(errors):
    """Where schema errors are: a top-level key, "rules[i]", or "(top)"."""
    places = set()
    for e in errors:
        p = list(e.absolute_path)
        if not p:
            places.add('(top)')
        elif p[0] == 'rules' and len(p) > 1:
            places.add('rules[%d]' % p[1])
        else:
            places.add(str(p[0]))
    return places


# ---------------------------------------------------------------------------------------------
# Schema side

def check_schema_side():
    try:
        schema = load_strict(SCHEMA)
        jsonschema.Draft202012Validator.check_schema(schema)
        report(schema.get('$schema') == 'https://json-schema.org/draft/2020-12/schema',
               'schema is valid JSON Schema 2020-12', rel(SCHEMA))
    except (ValueError, jsonschema.exceptions.SchemaError) as e:
        report(False, 'schema is valid JSON Schema 2020-12', str(e).splitlines()[0])
        return None
    validator = jsonschema.Draft202012Validator(schema)

    # The errno list is written three times: errno-names.c (the engine), the schema, the man page.
    names = re.findall(r'\{\s*"(E[A-Z0-9]+)",', ERRNO_NAMES_C.read_text())
    enum = schema.get('$defs', {}).get('errno', {}).get('enum', [])
    report(names == enum and len(names) == 134,
           'schema errno enum equals policy/errno-names.c',
           '%d names in errno-names.c, %d in the schema%s' % (
               len(names), len(enum),
               '; differ: ' + ' '.join(sorted(set(names) ^ set(enum))) if set(names) != set(enum)
               else ''))
    if MAN_PAGE.exists():
        man = MAN_PAGE.read_text()
        missing = [n for n in names if not re.search(r'\b%s\b' % n, man)]
        report(not missing, 'man page lists every errno name',
               'missing: ' + ' '.join(missing) if missing else rel(MAN_PAGE))

    for path in samples(EXAMPLES) + samples(SAMPLES / 'good'):
        what = 'schema accepts %s' % rel(path)
        try:
            errors = list(validator.iter_errors(load_strict(path)))
        except ValueError as e:
            report(False, what, 'not strict JSON: %s' % e)
            continue
        report(not errors, what, errors[0].message[:200] if errors else '')

    for path in samples(SAMPLES / 'bad'):
        what = 'schema rejects %s' % rel(path)
        try:
            doc = load_strict(path)
        except ValueError as e:
            report(False, what, 'not valid JSON (%s): move it to bad-engine-only/' % e)
            continue
        errors = list(validator.iter_errors(doc))
        places = error_places(errors)
        if not errors:
            report(False, what, 'the schema accepts it')
        elif len(places) > 1:
            report(False, what, 'more than one broken thing: errors at %s' % ', '.join(sorted(places)))
        else:
            report(True, what, errors[0].message[:120])

    for path in samples(SAMPLES / 'multi-error'):
        want = len(expected_lines(path))
        what = 'schema finds %d errors in %s' % (want, rel(path))
        try:
            places = error_places(validator.iter_errors(load_strict(path)))
        except ValueError as e:
            report(False, what, 'not valid JSON: %s' % e)
            continue
        report(want > 0 and len(places) >= want, what, 'errors at ' + ', '.join(sorted(places)))

    return validator


# ---------------------------------------------------------------------------------------------
# Engine side

def run(exe, *args):
    try:
        p = subprocess.run([exe, *map(str, args)], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, '', 'timed out after %d s' % TIMEOUT
    return (p.returncode, p.stdout.decode('utf-8', 'replace'),
            p.stderr.decode('utf-8', 'replace'))


def error_lines(path, out, err):
    """The line numbers of the "FILE:LINE:COL: " lines about `path`."""
    pat = re.compile(r'^%s:([0-9]+):[0-9]+: ' % re.escape(str(path)), re.M)
    return [int(m.group(1)) for m in pat.finditer(out + err)]


def first_line(out, err):
    text = (err or out).strip()
    return text.splitlines()[0][:200] if text else 'no output'


def check_accepts(exe, path):
    rc, out, err = run(exe, 'policy', 'check', path)
    report(rc == 0, 'pathvisor policy check accepts %s' % rel(path),
           'exit %s: %s' % (rc, first_line(out, err)) if rc != 0 else '')


def check_rejects(exe, path, want_distinct=0):
    rc, out, err = run(exe, 'policy', 'check', path)
    lines = error_lines(path, out, err)
    want = expected_lines(path)
    problems = []
    if rc != 1:
        problems.append('exit %s, want 1' % rc)
    if not lines:
        problems.append('no "FILE:LINE:COL: message" line; output: %s' % first_line(out, err))
    missing = [n for n in want if n not in lines]
    if lines and missing:
        problems.append('no error on line %s; errors on lines %s' % (
            ', '.join(map(str, missing)), ', '.join(map(str, sorted(set(lines))))))
    if want_distinct and len(set(lines)) < want_distinct:
        problems.append('%d distinct error lines, want %d' % (len(set(lines)), want_distinct))
    report(not problems, 'pathvisor policy check rejects %s' % rel(path), '; '.join(problems))


def check_explain(exe, policy, path, must_contain, must_not_contain=(), options=()):
    rc, out, err = run(exe, 'policy', 'explain', *options, policy, path)
    missing = [s for s in must_contain if s.lower() not in out.lower()]
    unwanted = [s for s in must_not_contain if s.lower() in out.lower()]
    ok = rc == 0 and not missing and not unwanted
    detail = ''
    if not ok:
        detail = 'exit %s' % rc
        if missing:
            detail += ', missing %s' % ', '.join(map(repr, missing))
        if unwanted:
            detail += ', unexpected %s' % ', '.join(map(repr, unwanted))
        detail += '; output: %s' % ((out.strip() or err.strip()).replace('\n', ' | ')[:300])
    report(ok, 'pathvisor policy explain %s%s %s' % (''.join(o + ' ' for o in options), rel(policy), path),
           detail)


def check_size_limit(exe):
    head = b'{ "version": 1, "rules": [], "comment": "'
    tail = b'" }\n'
    with tempfile.TemporaryDirectory(prefix='pathvisor-schema-') as tmp:
        for size, accept in ((MAX_FILE_SIZE, True), (MAX_FILE_SIZE + 1, False)):
            path = Path(tmp) / ('size-%d.json' % size)
            with open(path, 'wb') as f:
                f.write(head)
                f.write(b'x' * (size - len(head) - len(tail)))
                f.write(tail)
            assert path.stat().st_size == size
            rc, out, err = run(exe, 'policy', 'check', path)
            if accept:
                report(rc == 0, 'pathvisor policy check accepts a policy of exactly 64 MiB',
                       'exit %s: %s' % (rc, first_line(out, err)) if rc != 0 else '')
            else:
                ok = rc == 1 and bool(error_lines(path, out, err))
                report(ok, 'pathvisor policy check refuses a policy of 64 MiB + 1 byte',
                       '' if ok else 'exit %s: %s' % (rc, first_line(out, err)))
            path.unlink()


def check_engine_side(exe):
    if not os.access(exe, os.X_OK):
        report(False, 'pathvisor executable', '%s is not executable' % exe)
        return

    good = samples(EXAMPLES) + samples(SAMPLES / 'good')
    for path in good:
        check_accepts(exe, path)
    for path in samples(SAMPLES / 'bad') + samples(SAMPLES / 'bad-engine-only'):
        check_rejects(exe, path)
    for path in samples(SAMPLES / 'multi-error'):
        check_rejects(exe, path, want_distinct=len(expected_lines(path)))

    # Several files in one call: all good -> 0; one bad among good ones -> 1, errors for it only.
    rc, out, err = run(exe, 'policy', 'check', *good)
    report(rc == 0, 'pathvisor policy check accepts all %d good files in one call' % len(good),
           'exit %s: %s' % (rc, first_line(out, err)) if rc != 0 else '')
    bad = SAMPLES / 'bad' / 'deny-unknown-errno.json'
    mix = [SAMPLES / 'good' / 'minimal.json', bad, SAMPLES / 'good' / 'all-actions.json']
    rc, out, err = run(exe, 'policy', 'check', *mix)
    blamed_good = [rel(p) for p in mix if p != bad and error_lines(p, out, err)]
    ok = rc == 1 and bool(error_lines(bad, out, err)) and not blamed_good
    report(ok, 'pathvisor policy check good bad good: exit 1, errors for the bad file only',
           '' if ok else 'exit %s, blamed %s: %s' % (rc, blamed_good, first_line(out, err)))

    check_size_limit(exe)

    # explain: a few decisions that follow directly from the examples.
    ex = EXAMPLES
    check_explain(exe, ex / 'passwd.json', '/etc/passwd', ['/etc/hostname'])
    check_explain(exe, ex / 'passwd.json', '/etc/./passwd', ['/etc/passwd', '/etc/hostname'])
    check_explain(exe, ex / 'passwd.json', '/etc/passwd2', ['/etc/passwd2'], ['/etc/hostname'])
    check_explain(exe, ex / 'app-config.json', '/etc/myapp/main.ini',
                  ['/home/me/.config/myapp/main.ini'])
    check_explain(exe, ex / 'app-config.json', '/etc/myapp/../myapp/sub//a.ini',
                  ['/home/me/.config/myapp/sub/a.ini'])
    check_explain(exe, ex / 'readonly-usr.json', '/usr/bin/ls', ['readonly'], ['EROFS'])
    check_explain(exe, ex / 'readonly-usr.json', '/usr/bin/ls', ['EROFS'], options=['--intent', 'write'])
    check_explain(exe, ex / 'deny-secrets.json', '/root/.bashrc', ['/root/.bashrc', 'EACCES'])
    check_explain(exe, ex / 'deny-secrets.json', '/etc/ssh/sshd_config', ['ENOENT'])
    check_explain(exe, ex / 'deny-secrets.json', '/home/me/.ssh/id_ed25519', ['EACCES'])
    check_explain(exe, ex / 'deny-secrets.json', '/home/me/.ssh/known_hosts', ['pass'], ['EACCES'])


def main():
    if len(sys.argv) > 2 or (len(sys.argv) == 2 and sys.argv[1] in ('-h', '--help')):
        print(__doc__.strip())
        return 0 if len(sys.argv) == 2 else 2

    check_schema_side()
    if len(sys.argv) == 2:
        check_engine_side(sys.argv[1])
    else:
        print('note: no pathvisor executable given: engine checks not run')

    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
