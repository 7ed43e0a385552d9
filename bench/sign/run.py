#!/usr/bin/env python3
# bench/sign/run.py BENCH_EXE PKI_DIR: signs and verifies envelopes with
# 1 MiB and 100 MiB attachments (mdg-bench-sign, software key of persona
# kawaguchi-76) and runs `openssl cms -sign`/`-verify` over the same
# attachment bytes as the baseline, each operation a fresh process, timed
# from spawn to exit. Prints medians, ratios against OpenSSL and the peak
# resident set of every process (ours: VmHWM; OpenSSL: wait4 ru_maxrss).
#
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

RUNS = 7
SIZES = [('1 MiB', 1 << 20), ('100 MiB', 100 << 20)]
GOAL = 1.2

bench, pki = sys.argv[1], sys.argv[2]
persona = 'kawaguchi-76'
key = os.path.join(pki, persona, 'sign.key.pem')
cert = os.path.join(pki, persona, 'sign.pem')
ca = os.path.join(pki, 'sign-ca.pem')
work = tempfile.mkdtemp(prefix='mdg-bench-sign-', dir=os.environ.get('TMPDIR', '/var/tmp'))
outfile = os.path.join(work, 'stdout')
errfile = os.path.join(work, 'stderr')


def run(argv):
    """Runs argv in a fresh process: (seconds, max RSS KiB, stdout)."""
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            out = os.open(outfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            err = os.open(errfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(out, 1)
            os.dup2(err, 2)
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        with open(errfile) as f:
            sys.exit('bench-sign: %s exited with %d\n%s' % (' '.join(argv), code, f.read()))
    with open(outfile) as f:
        return elapsed, usage.ru_maxrss, f.read().strip()


def remove(*paths):
    for path in paths:
        if os.path.exists(path):
            os.unlink(path)


def write_document(path):
    with open(os.path.join(pki, persona, 'persona.json'), encoding='utf-8') as f:
        p = json.load(f)
    b = p['birth']
    birth = '%s-%s-%s' % (b[0:4], b[4:6], b[6:8])
    doc = {
        'format': 'madoguchi-application', 'format_version': 1,
        'id': '6f1c2b1e-8d5a-4c1e-9b7a-2f3d4e5f6a7b', 'created': '2025-06-01T09:30:00Z',
        'procedure': {'id': '112038-kouki-card-reissue', 'version': 1}, 'municipality': '112038',
        'applicant': {'name': p['name'], 'sex': p['sex'], 'birth_date': birth, 'address': p['address']},
        'fields': {'hihokensha_number': '12345678', 'reissue_reason': 'damaged', 'is_proxy': False},
        'attachments': [{'field': 'damaged_card', 'name': 'card.png', 'media_type': 'image/png'}],
        'consents': [{'id': 'privacy-v1', 'text': '個人情報の取扱いに同意します。'}],
    }
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(doc, f, ensure_ascii=False)


def measure(label, size, doc_path):
    att = os.path.join(work, 'attachment.bin')
    env = os.path.join(work, 'app.zip')
    sig = os.path.join(work, 'openssl.p7s')
    copy = os.path.join(work, 'copy.bin')
    with open(att, 'wb') as f:
        for _ in range(size >> 20):
            f.write(os.urandom(1 << 20))
    openssl_sign = ['openssl', 'cms', '-sign', '-binary', '-md', 'sha256', '-signer', cert,
                    '-inkey', key, '-certfile', ca, '-outform', 'DER', '-in', att, '-out', sig]
    ops = [
        # The hashing/CMS part alone: what the goal compares.
        ('sign-cms', [bench, 'sign', key, cert, ca, doc_path, att, '-'], openssl_sign),
        ('sign', [bench, 'sign', key, cert, ca, doc_path, att, env],
         ['openssl', 'cms', '-sign', '-binary', '-md', 'sha256', '-signer', cert,
          '-inkey', key, '-certfile', ca, '-outform', 'DER', '-in', att, '-out', sig]),
        ('verify', [bench, 'verify', pki, env],
         ['openssl', 'cms', '-verify', '-binary', '-inform', 'DER', '-in', sig,
          '-content', att, '-CAfile', ca, '-purpose', 'any', '-out', os.devnull]),
    ]
    rows = []
    for op, ours, theirs in ops:
        t_ours, t_theirs, t_copy, hwm, rss_theirs = [], [], [], [], []
        # Interleaved, so drift in the machine's load hits both alike.
        for _ in range(RUNS):
            if op == 'sign':
                # No run pays for unlinking a file it replaces.
                remove(env, sig, copy)
            t, _, out = run(ours)
            t_ours.append(t)
            hwm.append(int(out))
            t, rss, _ = run(theirs)
            t_theirs.append(t)
            rss_theirs.append(rss)
            if op == 'sign':
                t, _, _ = run(['cp', att, copy])
                t_copy.append(t)
        rows.append({'size': label, 'op': op, 'ours': statistics.median(t_ours),
                     'openssl': statistics.median(t_theirs),
                     'copy': statistics.median(t_copy) if t_copy else None,
                     'hwm': max(hwm), 'openssl_rss': max(rss_theirs)})
    remove(att, copy, env, sig)
    return rows


try:
    doc_path = os.path.join(work, 'doc.json')
    write_document(doc_path)
    rows = []
    for label, size in SIZES:
        rows += measure(label, size, doc_path)

    version = subprocess.run(['openssl', 'version'], capture_output=True, text=True).stdout.strip()
    print('bench-sign: %d runs each, medians, one process per operation; baseline: %s'
          % (RUNS, version))
    # An envelope carries the attachment, a detached CMS does not: the
    # second baseline adds a `cp` of the attachment to openssl's signing.
    print('%-8s %-8s %11s %11s %7s %14s %7s %11s %12s' % (
        'size', 'op', 'madoguchi', 'openssl', 'ratio', 'openssl+cp', 'ratio', 'our VmHWM',
        'openssl RSS'))
    worst = 0.0
    for r in rows:
        ratio = r['ours'] / r['openssl']
        if r['op'] != 'sign':
            worst = max(worst, ratio)
        if r['copy'] is not None:
            base = r['openssl'] + r['copy']
            with_copy = '%11.1f ms %6.2fx' % (base * 1e3, r['ours'] / base)
        else:
            with_copy = '%14s %7s' % ('-', '-')
        print('%-8s %-8s %8.1f ms %8.1f ms %6.2fx %s %7d KiB %8d KiB'
              % (r['size'], r['op'], r['ours'] * 1e3, r['openssl'] * 1e3, ratio, with_copy,
                 r['hwm'], r['openssl_rss']))
    hwm = {(r['size'], r['op']): r['hwm'] for r in rows}
    for op in ('sign', 'verify'):
        print('%s: our VmHWM changes by %+d KiB from 1 MiB to 100 MiB'
              % (op, hwm[('100 MiB', op)] - hwm[('1 MiB', op)]))
    print('worst ratio of the hashing/CMS part (sign-cms, verify) against openssl cms: '
          '%.2fx (goal <= %.1fx): %s'
          % (worst, GOAL, 'met' if worst <= GOAL else 'NOT met'))
finally:
    shutil.rmtree(work, ignore_errors=True)
