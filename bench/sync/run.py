#!/usr/bin/env python3
# bench/sync/run.py BENCH SERVER PKI_DIR PERSONAS_DIR: 1,000 and then
# 10,000 small submissions to madoguchi-server over loopback TLS, from the
# client's encrypted outbox (mdg-bench-sync deliver: one process, login by
# challenge, then every envelope with its receipt checked and stored) and,
# side by side against the same server, `curl --parallel` uploading the
# same envelopes under other UUIDs with a session token (the baseline).
# Prints throughput, the ratio against curl, and the server's memory
# after each round.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROUNDS = [int(n) for n in os.environ.get('MDG_BENCH_SYNC_ROUNDS', '1000,10000').split(',')]
POOL = 500
CURL_PARALLEL = 16
PERSONA = 'kawaguchi-76'

bench, server, pki, personas = [os.path.abspath(a) for a in sys.argv[1:5]]
work = tempfile.mkdtemp(prefix='mdg-bench-sync-', dir=os.environ.get('TMPDIR', '/var/tmp'))
sim_args = ['--sim-pki-dir=' + pki, '--sim-personas-dir=' + personas]


def run(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw).stdout


def status(pid):
    values = {}
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            key, _, value = line.partition(':')
            if key in ('VmRSS', 'VmHWM'):
                values[key] = int(value.split()[0]) / 1024
    return values


proc = None
try:
    tls = os.path.join(work, 'tls.pem')
    run('openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
        '-days', '2', '-subj', '/CN=madoguchi-bench', '-addext', 'subjectAltName=IP:127.0.0.1',
        '-keyout', tls + '.key', '-out', tls)
    run('openssl', 'genpkey', '-algorithm', 'ed25519', '-out', os.path.join(work, 'receipt.pem'))
    conf = os.path.join(work, 'server.conf')
    with open(conf, 'w') as f:
        f.write('[server]\nlisten=127.0.0.1:0\nname=bench.example\ndatabase=server.db\n'
                'tls_certificate=tls.pem\ntls_key=tls.pem.key\nreceipt_key=receipt.pem\n'
                '[auth-trust]\nmode=test\npki_dir=%s\n[signing-trust]\nmode=test\npki_dir=%s\n' % (pki, pki))
    proc = subprocess.Popen([server, '--config', conf], stdout=subprocess.PIPE, text=True)
    base = proc.stdout.readline().strip()
    if not base.endswith('/'):
        base += '/'
    run(server, 'admin', '--config', conf, 'add-staff', 'bench', '--name', 'Bench')
    serial = run('openssl', 'x509', '-in', os.path.join(pki, PERSONA, 'auth.pem'), '-noout',
                 '-serial').strip().split('=')[1]
    run(server, 'admin', '--config', conf, '--as', 'bench', 'map-person', serial, 'RES-BENCH')
    with open(os.path.join(work, 'receipt.pub'), 'w') as f:
        f.write(run(server, 'admin', '--config', conf, 'receipt-key'))
    endpoint = os.path.join(work, 'endpoint.ini')
    with open(endpoint, 'w') as f:
        f.write('[endpoint]\nuri=%s\nca=tls.pem\nreceipt_key=receipt.pub\n' % base)
    files = os.path.join(work, 'files')
    start_mem = status(proc.pid)

    rows = []
    stored = 0
    for n in ROUNDS:
        profile = os.path.join(work, 'profile-%d' % n)
        run(bench, 'prepare', '--profile', profile, '--count', str(n), '--pool', str(POOL),
            '--files', files, *sim_args)
        size = os.path.getsize(os.path.join(files, 'envelope-0.zip'))

        token = run(bench, 'token', '--endpoint', endpoint, *sim_args).strip()
        cfg = os.path.join(work, 'curl-%d.cfg' % n)
        with open(os.path.join(files, 'curl.cfg')) as f:
            text = f.read().replace('@BASE@', base).replace('@TOKEN@', token).replace('@CACERT@', tls)
        with open(cfg, 'w') as f:
            f.write(text)
        t0 = time.monotonic()
        out = run('curl', '--silent', '--parallel', '--parallel-max', str(CURL_PARALLEL),
                  '--config', cfg)
        curl_s = time.monotonic() - t0
        codes = out.split()
        if not (len(codes) == n and all(c == '201' for c in codes)):
            first = text.split('next\n')[0].replace('output = /dev/null', 'output = "%s"' % os.path.join(work, 'answer'))
            with open(cfg, 'w') as f:
                f.write(first)
            subprocess.run(['curl', '--silent', '--config', cfg])
            sys.exit('curl uploads failed: %s: %s' % (sorted(set(codes)), open(os.path.join(work, 'answer')).read()))
        stored += n

        t0 = time.monotonic()
        sec, sent = run(bench, 'deliver', '--profile', profile, '--endpoint', endpoint,
                        *sim_args).split()
        ours_s = time.monotonic() - t0
        assert int(sent) == n, sent
        stored += n
        mem = status(proc.pid)
        rows.append((n, ours_s, float(sec), curl_s, mem, stored, size))

    print('envelope size: %d bytes; curl: %d parallel transfers, one process' % (rows[0][6], CURL_PARALLEL))
    print('%8s  %12s  %12s  %12s  %8s  %12s  %10s' % ('N', 'ours s', 'ours /s', 'curl s', 'curl /s',
                                                   'ours/curl', 'server RSS'))
    for n, ours_s, _, curl_s, mem, stored_now, _ in rows:
        print('%8d  %12.2f  %12.0f  %12.2f  %8.0f  %11.2fx  %7.1f MiB (after %d stored)'
              % (n, ours_s, n / ours_s, curl_s, n / curl_s, ours_s / curl_s, mem['VmRSS'], stored_now))
    print('server RSS at start %.1f MiB; peak (VmHWM) %.1f MiB'
          % (start_mem['VmRSS'], rows[-1][4]['VmHWM']))
    r1, r2 = rows[0][4]['VmRSS'], rows[-1][4]['VmRSS']
    print('server memory: %.1f MiB after %d stored, %.1f MiB after %d stored (%.2fx for %.0fx the submissions)'
          % (r1, rows[0][5], r2, rows[-1][5], r2 / r1, rows[-1][5] / rows[0][5]))
    worst = max(r[1] / r[3] for r in rows)
    print('goal: ours at least as fast as parallel curl (ratio <= 1.00): %s (worst %.2fx)'
          % ('met' if worst <= 1.0 else 'NOT met', worst))
finally:
    if proc is not None:
        proc.terminate()
        proc.wait()
    shutil.rmtree(work, ignore_errors=True)
