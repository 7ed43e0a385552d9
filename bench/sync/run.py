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
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

# MDG_BENCH_SYNC_PIN=1: the server on CPU 0 and the clients on CPU 1, as if
# the server ran on a machine of its own (the real deployment).
PIN = os.environ.get('MDG_BENCH_SYNC_PIN') == '1' and os.cpu_count() >= 2
SERVER_CPU = ['taskset', '-c', '0'] if PIN else []
CLIENT_CPU = ['taskset', '-c', '1'] if PIN else []
# CURL_PARALLEL: curl's transfers at once (ours: MDG_SYNC_CLIENT_MAX_PARALLEL).
ROUNDS = [int(n) for n in os.environ.get('MDG_BENCH_SYNC_ROUNDS', '1000,10000').split(',')]
POOL = 500
CURL_PARALLEL = int(os.environ.get('CURL_PARALLEL', '16'))
PERSONA = 'kawaguchi-76'

bench, server, pki, personas = [os.path.abspath(a) for a in sys.argv[1:5]]
work = tempfile.mkdtemp(prefix='mdg-bench-sync-', dir=os.environ.get('TMPDIR', '/var/tmp'))
sim_args = ['--sim-pki-dir=' + pki, '--sim-personas-dir=' + personas]


def run(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw).stdout


def server_cpu(pid):
    """User + system seconds the server has used so far."""
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


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
    proc = subprocess.Popen([*SERVER_CPU, server, '--config', conf], stdout=subprocess.PIPE, text=True)
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

    stored = 0
    cpu = {'ours': 0.0, 'curl': 0.0}
    server = {'ours': 0.0, 'curl': 0.0}
    logins = []

    def run_curl(n, tag):
        """curl --parallel over the pool's envelopes under new UUIDs; seconds."""
        global stored
        # The login is timed as part of curl's run, as it is of ours: each
        # side starts without a session.
        l0 = time.monotonic()
        token = run(*CLIENT_CPU, bench, 'token', '--endpoint', endpoint, *sim_args).strip()
        logins.append(time.monotonic() - l0)
        cfg = os.path.join(work, 'curl-%s.cfg' % tag)
        with open(os.path.join(files, 'curl-%s.cfg' % tag)) as f:
            text = f.read().replace('@BASE@', base).replace('@TOKEN@', token).replace('@CACERT@', tls)
        with open(cfg, 'w') as f:
            f.write(text)
        s0 = server_cpu(proc.pid)
        t0 = time.monotonic()
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = run(*CLIENT_CPU, 'curl', '--silent', '--parallel', '--parallel-max', str(CURL_PARALLEL),
                  '--config', cfg)
        seconds = time.monotonic() - t0 + logins[-1]
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu['curl'] += (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)
        server['curl'] += server_cpu(proc.pid) - s0
        codes = out.split()
        if not (len(codes) == n and all(c == '201' for c in codes)):
            first = text.split('next\n')[0].replace('output = /dev/null',
                                                    'output = "%s"' % os.path.join(work, 'answer'))
            with open(cfg, 'w') as f:
                f.write(first)
            subprocess.run(['curl', '--silent', '--config', cfg])
            sys.exit('curl uploads failed: %s: %s' % (sorted(set(codes)), open(os.path.join(work, 'answer')).read()))
        stored += n
        return seconds

    def run_ours(n, tag):
        """mdg-bench-sync deliver of a prepared outbox, the whole process; seconds."""
        global stored
        profile = os.path.join(work, 'profile-%s' % tag)
        s0 = server_cpu(proc.pid)
        t0 = time.monotonic()
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        _, sent = run(*CLIENT_CPU, bench, 'deliver', '--profile', profile, '--endpoint', endpoint, *sim_args).split()
        seconds = time.monotonic() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu['ours'] += (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)
        server['ours'] += server_cpu(proc.pid) - s0
        assert int(sent) == n, sent
        stored += n
        return seconds

    # Each side runs twice per size, interleaved (curl, ours, ours, curl),
    # so that neither always meets the larger database.
    rows = []
    for n in ROUNDS:
        for tag in ('%d-a' % n, '%d-b' % n):
            run(bench, 'prepare', '--profile', os.path.join(work, 'profile-%s' % tag), '--count', str(n),
                '--pool', str(POOL), '--files', files, *sim_args)
            os.rename(os.path.join(files, 'curl.cfg'), os.path.join(files, 'curl-%s.cfg' % tag))
        size = os.path.getsize(os.path.join(files, 'envelope-0.zip'))
        curl_times = [run_curl(n, '%d-a' % n)]
        ours_times = [run_ours(n, '%d-a' % n), run_ours(n, '%d-b' % n)]
        curl_times.append(run_curl(n, '%d-b' % n))
        mem = status(proc.pid)
        rows.append((n, statistics.mean(ours_times), ours_times, statistics.mean(curl_times), curl_times,
                     mem, stored, size))

    print('envelope size: %d bytes; ours: one process, login, %s in flight; curl: --parallel-max %d, '
          'one process, after a login by mdg-bench-sync token (%.0f ms on average, counted in curl s); '
          'each side twice per size, interleaved; %s'
          % (rows[0][7], run(bench, 'parallel', *sim_args).strip(), CURL_PARALLEL, statistics.mean(logins) * 1000,
             'server on CPU 0, clients on CPU 1' if PIN else 'all on every CPU'))
    print('%8s  %16s  %10s  %16s  %10s  %10s  %s' % ('N', 'ours s (runs)', 'ours /s', 'curl s (runs)',
                                                   'curl /s', 'ours/curl', 'server RSS'))
    for n, ours_s, ours_runs, curl_s, curl_runs, mem, stored_now, _ in rows:
        print('%8d  %6.2f (%s)  %10.0f  %6.2f (%s)  %10.0f  %9.2fx  %.1f MiB after %d stored'
              % (n, ours_s, '/'.join('%.2f' % x for x in ours_runs), n / ours_s, curl_s,
                 '/'.join('%.2f' % x for x in curl_runs), n / curl_s, ours_s / curl_s, mem['VmRSS'], stored_now))
    print('server RSS at start %.1f MiB; peak (VmHWM) %.1f MiB'
          % (start_mem['VmRSS'], rows[-1][5]['VmHWM']))
    r1, r2 = rows[0][5]['VmRSS'], rows[-1][5]['VmRSS']
    print('server memory: %.1f MiB after %d stored, %.1f MiB after %d stored (%.2fx for %.0fx the submissions)'
          % (r1, rows[0][6], r2, rows[-1][6], r2 / r1, rows[-1][6] / rows[0][6]))
    total = sum(r[0] for r in rows) * 2
    print('client CPU per submission: ours %.0f us, curl %.0f us (user + system, both runs of every size)'
          % (cpu['ours'] / total * 1e6, cpu['curl'] / total * 1e6))
    print('server CPU per submission: ours %.0f us, curl %.0f us'
          % (server['ours'] / total * 1e6, server['curl'] / total * 1e6))
    worst = max(r[1] / r[3] for r in rows)
    print('goal: ours at least as fast as parallel curl (ratio <= 1.00): %s (worst %.2fx)'
          % ('met' if worst <= 1.0 else 'NOT met', worst))
finally:
    if proc is not None:
        proc.terminate()
        proc.wait()
    shutil.rmtree(work, ignore_errors=True)
