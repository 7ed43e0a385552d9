#!/usr/bin/env python3
# tty-prompt.py CLI AUTH-PIN: drives `madoguchi-cli card sign --key auth` on a
# pseudo-terminal, as a person would, and checks the interactive PIN prompt:
# tries are said before the question, the PIN is not echoed, a wrong PIN
# says how many tries are left, and the last try needs a "y".
# Exit 0 when every check holds.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import os
import pty
import select
import sys
import time

CLI, PIN = sys.argv[1], sys.argv[2]
DIGEST = '0' * 64


def run(answers, timeout=20.0):
    """Runs the CLI on a new pty; answers is a list of (expected text, reply)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.environ['LC_ALL'] = 'C.UTF-8'
        os.execv(CLI, [CLI, 'card', 'sign', '--key', 'auth', '--sha256', DIGEST])
    out = b''
    deadline = time.monotonic() + timeout
    pending = list(answers)
    while True:
        if pending and pending[0][0].encode() in out:
            expected, reply = pending.pop(0)
            # Answer only after the prompt, so that the flush of typeahead
            # (TCSAFLUSH) cannot eat it.
            time.sleep(0.05)
            os.write(fd, reply.encode() + b'\n')
            out += b'<<' + expected.encode() + b'>>'
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            os.kill(pid, 9)
            raise SystemExit('timeout; output so far:\n' + out.decode(errors='replace'))
        ready, _, _ = select.select([fd], [], [], min(remaining, 0.2))
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b''
            if not chunk:
                break
            out += chunk
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), out.decode(errors='replace')


def check(condition, message, output):
    if not condition:
        raise SystemExit(f'FAIL: {message}\n--- terminal:\n{output}')


wrong = '9999' if PIN != '9999' else '8888'

# A wrong PIN: the tries come before the question, nothing is echoed.
code, out = run([('Enter the authentication PIN', wrong)])
check(code == 4, f'wrong PIN: exit {code}, expected 4', out)
check('3 tries left' in out.split('Enter the')[0], 'tries not said before the question', out)
check(wrong not in out.replace('<<', '').split('>>', 1)[-1], 'the PIN was echoed', out)
check('2 tries left' in out, 'the error does not say the tries left', out)

code, out = run([('Enter the authentication PIN', wrong)])
check(code == 4 and '1 try left' in out, f'second wrong PIN: exit {code}', out)

# One try left: declining sends nothing.
code, out = run([('Use the last try?', 'n')])
check(code == 6, f'declined last try: exit {code}, expected 6', out)
check('Enter the' not in out, 'the PIN was asked after declining', out)

# Accepting it with the right PIN signs.
code, out = run([('Use the last try?', 'y'), ('Enter the authentication PIN', PIN)])
check(code == 0, f'confirmed last try: exit {code}, expected 0', out)
check(PIN not in out.split('>>')[-1][:20], 'the PIN was echoed', out)
sig = [line.strip() for line in out.splitlines() if len(line.strip()) == 512]
check(len(sig) == 1, 'no signature printed', out)

print('ok [tty-prompt]')
