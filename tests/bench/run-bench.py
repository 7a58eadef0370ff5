#!/usr/bin/env python3
# run-bench.py: the side-by-side benchmarks of issue 8, in one command.
#
#   run-bench.py --builddir _build [--quick] [--results-dir DIR]
#
# One devserver (the built binary, with its flood hook on stdin) feeds every
# client measurement, so libmetered and the official JavaScript SDK read the
# same stream from the same server in the same run, alternating, round after
# round. Prints a table, the line `receive throughput ratio C/JS: <median>`
# and writes DIR/latest.json (plus a dated copy).
#
# --quick runs everything small (a few seconds) to prove the harness works;
# it asserts nothing about speed.
#
# SPDX-License-Identifier: MIT

import argparse
import datetime
import json
import os
import platform
import queue
import shutil
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(os.path.dirname(HERE))
CONFORMANCE = os.path.join(SOURCE_ROOT, 'tests', 'conformance')
CONFIG = os.path.join(HERE, 'bench-config.json')
PAYLOAD_SIZE = 200
EXIT_SKIP = 77

TARGETS = {
    'receive_ratio': 3.0,          # C/JS messages per second
    'receive_vs_limit': 0.70,      # libmetered / raw reader
    'cpu_ratio': 1 / 3,            # C CPU per message <= 1/3 of JS
    'rss_ratio': 1 / 4,            # C peak RSS <= 1/4 of JS
    'publish_ratio': 2.0,          # C/JS acked publishes per second
    'p99_n1_us': 1000,             # loopback p99 round trip at N = 1
    'bytes_per_connection': 20 * 1024,
    'fanout_per_second': 500000,
}


class Failure(Exception):
    pass


class Process:
    """A child whose stdout lines arrive on a queue; stderr is kept."""

    def __init__(self, argv, stdin=False, env=None):
        self.argv = argv
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, bufsize=1, env=env)
        self.lines = queue.Queue()
        self.stderr = []
        threading.Thread(target=self._pump_stdout, daemon=True).start()
        threading.Thread(target=self._pump_stderr, daemon=True).start()
        self.rusage = None

    def _pump_stdout(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip('\n'))
        self.lines.put(None)   # end of output

    def _pump_stderr(self):
        for line in self.proc.stderr:
            self.stderr.append(line.rstrip('\n'))

    def line(self, timeout):
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise Failure(f'{os.path.basename(self.argv[0])}: no output within {timeout} s; '
                          f'stderr: {self.tail()}') from None
        if line is None:
            self.wait(5)
            raise Failure(f'{os.path.basename(self.argv[0])} {" ".join(self.argv[1:2])} exited '
                          f'({self.proc.returncode}); stderr: {self.tail()}')
        return line

    def json_line(self, timeout):
        while True:
            line = self.line(timeout)
            if line.startswith('{'):
                return json.loads(line)

    def tail(self):
        return ' | '.join(line for line in self.stderr[-5:] if line) or '(nothing)'

    def wait(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status, rusage = os.wait4(self.proc.pid, os.WNOHANG)
            if pid != 0:
                self.proc.returncode = os.waitstatus_to_exitcode(status)
                self.rusage = rusage
                return self.proc.returncode
            time.sleep(0.01)
        self.kill()
        return None

    def kill(self):
        if self.proc.returncode is None:
            try:
                self.proc.kill()
                _, status, self.rusage = os.wait4(self.proc.pid, 0)
                self.proc.returncode = os.waitstatus_to_exitcode(status)
            except ChildProcessError:
                pass


class DevServer:
    def __init__(self, builddir):
        binary = os.path.join(builddir, 'src', 'devserver', 'metered-devserver')
        self.proc = Process([binary, '--port', '0', '--test-hooks', '--config', CONFIG], stdin=True)
        line = self.proc.line(10)
        prefix = 'metered-devserver listening on '
        if not line.startswith(prefix):
            raise Failure(f'unexpected first line from the devserver: {line}')
        self.url = line[len(prefix):]
        self.port = int(self.url.rsplit(':', 1)[1])
        self.pid = self.proc.proc.pid

    def hook(self, **request):
        self.proc.proc.stdin.write(json.dumps(request) + '\n')
        self.proc.proc.stdin.flush()
        answer = json.loads(self.proc.line(10))
        if 'error' in answer:
            raise Failure(f'hook {request}: {answer["error"]}')
        return answer

    def stop(self):
        self.proc.proc.stdin.close()
        self.proc.proc.terminate()
        if self.proc.wait(5) is None:
            self.proc.kill()


def process_cpu_seconds(pid):
    """CPU time of all of @pid's threads, from /proc/PID/schedstat (ns)."""
    with open(f'/proc/{pid}/schedstat') as f:
        return int(f.read().split()[0]) / 1e9


class Bench:
    def __init__(self, args):
        self.args = args
        self.quick = args.quick
        self.builddir = os.path.abspath(args.builddir)
        self.client = os.path.join(self.builddir, 'tests', 'bench', 'bench-client')
        self.scale = os.path.join(self.builddir, 'tests', 'bench', 'bench-scale')
        self.node = shutil.which('node')
        self.js_problem = None
        if self.node is None:
            self.js_problem = 'node is not installed'
        elif not os.path.isdir(os.path.join(CONFORMANCE, 'node_modules', '@metered-ca', 'realtime')):
            self.js_problem = 'the JS SDK is not installed (npm ci in tests/conformance)'
        self.results = {}

    # Client receive throughput

    def subscriber_argv(self, impl, url, count):
        if impl == 'js':
            return [self.node, os.path.join(HERE, 'bench-js.mjs'), 'receive', '--url', url,
                    '--count', str(count)]
        return [self.client, 'receive', '--impl', impl, '--url', url, '--count', str(count)]

    def receive_once(self, server, impl, count):
        proc = Process(self.subscriber_argv(impl, server.url, count))
        try:
            if proc.line(20) != 'ready':
                raise Failure(f'{impl} subscriber did not say ready')
            server_cpu = process_cpu_seconds(server.pid)
            started = time.monotonic()
            flood = server.hook(hook='flood', channel='bench/flood', rate=0, count=count,
                                payloadSize=PAYLOAD_SIZE)
            result = proc.json_line(120)
            # How busy the server was: near 1.0 means it, not the client, set the pace.
            result['serverBusy'] = (process_cpu_seconds(server.pid) - server_cpu) / (time.monotonic() - started)
            server.hook(hook='stopFlood', floodId=flood['floodId'])
            proc.wait(10)
        finally:
            proc.kill()
        if result.get('outOfOrder'):
            raise Failure(f'{impl} subscriber saw {result["outOfOrder"]} messages out of order')
        result['cpuUsPerMessage'] = result['cpuSeconds'] / result['messages'] * 1e6
        # Figures from outside the process too: the whole run, start-up included.
        if proc.rusage is not None:
            result['processCpuSeconds'] = proc.rusage.ru_utime + proc.rusage.ru_stime
            result['processMaxRssKb'] = proc.rusage.ru_maxrss
        return result

    def receive(self, server):
        impls = ['metered', 'raw'] + ([] if self.js_problem else ['js'])
        rounds = 1 if self.quick else self.args.rounds
        count = 20000 if self.quick else self.args.messages
        runs = {impl: [] for impl in impls}
        for r in range(rounds):
            # Alternate who goes first: a warm server or a cool CPU favours no one.
            order = impls if r % 2 == 0 else list(reversed(impls))
            for impl in order:
                result = self.receive_once(server, impl, count)
                runs[impl].append(result)
                log(f'  receive round {r + 1}/{rounds} {impl:7s} {result["rate"]:10.0f} msg/s '
                    f'cpu {result["cpuUsPerMessage"]:.2f} us/msg rss {result["maxRssKb"]} KB '
                    f'client busy {result["cpuSeconds"] / result["seconds"]:.2f} server busy {result["serverBusy"]:.2f}')
        summary = {'messagesPerRun': count, 'rounds': rounds, 'runs': runs}
        for impl in impls:
            rates = [run['rate'] for run in runs[impl]]
            summary[impl] = {
                'rateMedian': statistics.median(rates),
                'rateMin': min(rates),
                'rateMax': max(rates),
                'cpuUsPerMessageMedian': statistics.median(run['cpuUsPerMessage'] for run in runs[impl]),
                'maxRssKb': max(run['maxRssKb'] for run in runs[impl]),
                'clientBusyMedian': statistics.median(run['cpuSeconds'] / run['seconds'] for run in runs[impl]),
                'serverBusyMedian': statistics.median(run['serverBusy'] for run in runs[impl]),
            }
        if 'js' in runs:
            ratios = [c['rate'] / j['rate'] for c, j in zip(runs['metered'], runs['js'])]
            summary['ratio'] = {'median': statistics.median(ratios), 'min': min(ratios), 'max': max(ratios)}
        summary['vsLimit'] = summary['metered']['rateMedian'] / summary['raw']['rateMedian']
        self.results['receive'] = summary

    # Publish with ack

    def publish_once(self, server, impl, inflight, count):
        if impl == 'js':
            argv = [self.node, os.path.join(HERE, 'bench-js.mjs'), 'publish']
        else:
            argv = [self.client, 'publish']
        argv += ['--url', server.url, '--channel', 'bench/publish', '--count', str(count),
                 '--inflight', str(inflight), '--payload-size', str(PAYLOAD_SIZE)]
        proc = Process(argv)
        try:
            result = proc.json_line(120)
            proc.wait(10)
        finally:
            proc.kill()
        return result

    def publish(self, server):
        impls = ['metered'] + ([] if self.js_problem else ['js'])
        rounds = 1 if self.quick else max(1, self.args.rounds // 2 + 1)
        summary = {}
        for inflight in (1, 64):
            count = 2000 if self.quick else (20000 if inflight == 1 else 100000)
            runs = {impl: [] for impl in impls}
            for r in range(rounds):
                order = impls if r % 2 == 0 else list(reversed(impls))
                for impl in order:
                    result = self.publish_once(server, impl, inflight, count)
                    runs[impl].append(result)
                    log(f'  publish N={inflight:<2d} round {r + 1}/{rounds} {impl:7s} {result["rate"]:10.0f}/s '
                        f'p50 {result["p50Us"]:.0f} us p99 {result["p99Us"]:.0f} us')
            entry = {'publishesPerRun': count, 'runs': runs}
            for impl in impls:
                entry[impl] = {
                    'rateMedian': statistics.median(run['rate'] for run in runs[impl]),
                    'p50UsMedian': statistics.median(run['p50Us'] for run in runs[impl]),
                    'p99UsMedian': statistics.median(run['p99Us'] for run in runs[impl]),
                }
            if 'js' in runs:
                entry['ratio'] = entry['metered']['rateMedian'] / entry['js']['rateMedian']
            summary[f'inflight{inflight}'] = entry
        self.results['publish'] = summary

    # Devserver scale

    def scale_run(self, argv, timeout):
        server = DevServer(self.builddir)
        try:
            proc = Process([self.scale] + argv + ['--port', str(server.port), '--server-pid', str(server.pid),
                                                  '--timeout', str(timeout)])
            try:
                result = proc.json_line(timeout + 10)
                proc.wait(10)
            finally:
                proc.kill()
        finally:
            server.stop()
        return result

    def devserver_scale(self):
        holds = [200] if self.quick else [1000, 10000]
        summary = {'hold': []}
        for count in holds:
            result = self.scale_run(['hold', '--count', str(count)], 30 if self.quick else 180)
            summary['hold'].append(result)
            log(f'  hold {result["welcomed"]:6d} of {count} connections in {result["seconds"]:.1f} s: '
                f'{result["bytesPerConnection"] / 1024:.1f} KB each')
        subscribers = 100 if self.quick else 1000
        fanout = self.scale_run(['fanout', '--subscribers', str(subscribers),
                                 '--singles', '5' if self.quick else '20',
                                 '--burst', '10' if self.quick else '200'], 30 if self.quick else 120)
        summary['fanout'] = fanout
        log(f'  fan-out to {subscribers}: {fanout["deliveriesPerSecond"]:.0f} deliveries/s, '
            f'{fanout["deliveriesPerServerCpuSecond"]:.0f} per server CPU second, '
            f'latency p50 {fanout["latencyP50Us"]:.0f} us p99 {fanout["latencyP99Us"]:.0f} us')
        self.results['devserver'] = summary

    # Inspector ingestion (tests/bench/bench-inspector.c, helper "logperf")

    def inspector(self):
        binary = os.path.join(self.builddir, 'tests', 'bench', 'bench-inspector')
        if not os.path.exists(binary):
            self.results['inspector'] = {'status': 'not built'}
            return
        argv = [binary] + (['--quick'] if self.quick else [])
        argv += ['--devserver', os.path.join(self.builddir, 'src', 'devserver', 'metered-devserver')]
        if not os.environ.get('DISPLAY') and not os.environ.get('WAYLAND_DISPLAY') and shutil.which('xvfb-run'):
            argv = ['xvfb-run', '-a', '-s', '-screen 0 1600x1000x24'] + argv
        env = dict(os.environ, GSETTINGS_BACKEND='memory',
                   GSETTINGS_SCHEMA_DIR=os.path.join(self.builddir, 'data'))
        timeout = 60 if self.quick else 300
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired:
            self.results['inspector'] = {'status': f'timed out after {timeout} s'}
            return
        lines = [line for line in done.stdout.splitlines() if line.startswith('{')]
        if done.returncode != 0 or not lines:
            tail = ' | '.join(done.stderr.strip().splitlines()[-3:])
            self.results['inspector'] = {'status': f'failed ({done.returncode}): {tail}'}
            return
        self.results['inspector'] = dict(json.loads(lines[-1]), status='ok')

    def run(self):
        started = datetime.datetime.now().astimezone()
        self.results['meta'] = machine(started, self.quick)
        if self.js_problem:
            log(f'JS SDK rows skipped: {self.js_problem}')

        log('client benchmarks (one devserver, flood of %d-byte payloads)' % PAYLOAD_SIZE)
        server = DevServer(self.builddir)
        try:
            self.receive(server)
            self.publish(server)
        finally:
            server.stop()
        log('devserver scale')
        self.devserver_scale()
        if self.args.no_inspector:
            self.results['inspector'] = {'status': 'left out (--no-inspector)'}
        else:
            log('inspector ingestion')
            self.inspector()
        self.results['meta']['seconds'] = round(time.monotonic() - START, 1)
        self.results['meta']['loadAverageAfter'] = os.getloadavg()
        return self.results


START = time.monotonic()


def log(text):
    print(text, file=sys.stderr, flush=True)


def machine(started, quick):
    meminfo = {}
    with open('/proc/meminfo') as f:
        for line in f:
            key, value = line.split(':', 1)
            meminfo[key] = value.strip()
    model = ''
    with open('/proc/cpuinfo') as f:
        for line in f:
            if line.startswith('model name'):
                model = line.split(':', 1)[1].strip()
                break
    node = shutil.which('node')
    return {
        'date': started.isoformat(timespec='seconds'),
        'quick': quick,
        'cores': os.cpu_count(),
        'cpu': model,
        'memTotalGb': round(int(meminfo.get('MemTotal', '0 kB').split()[0]) / 1024 / 1024, 1),
        'kernel': platform.release(),
        'node': subprocess.run([node, '--version'], capture_output=True, text=True).stdout.strip() if node else None,
        'loadAverageBefore': os.getloadavg(),
    }


def fmt_rate(value):
    return f'{value:,.0f}'


def verdict(ok):
    return 'met' if ok else 'MISSED'


def table(results):
    rows = []
    receive = results['receive']
    m, raw = receive['metered'], receive['raw']
    js = receive.get('js')
    ratio = receive.get('ratio')
    rows.append(('Receive, libmetered (C)', f'{fmt_rate(m["rateMedian"])} msg/s '
                 f'({fmt_rate(m["rateMin"])}–{fmt_rate(m["rateMax"])})', ''))
    if js:
        rows.append(('Receive, JS SDK on Node', f'{fmt_rate(js["rateMedian"])} msg/s '
                     f'({fmt_rate(js["rateMin"])}–{fmt_rate(js["rateMax"])})', ''))
        rows.append(('Receive ratio C/JS (median, range)',
                     f'{ratio["median"]:.2f}× ({ratio["min"]:.2f}–{ratio["max"]:.2f})',
                     f'≥ 3× {verdict(ratio["median"] >= TARGETS["receive_ratio"])}'))
    rows.append(('Receive limit: bare libsoup reader', f'{fmt_rate(raw["rateMedian"])} msg/s', ''))
    rows.append(('CPU busy, client / devserver (C, JS, limit)',
                 ', '.join(f'{receive[i]["clientBusyMedian"]:.2f} / {receive[i]["serverBusyMedian"]:.2f}'
                           for i in ('metered', 'js', 'raw') if i in receive), ''))
    rows.append(('libmetered / limit', f'{receive["vsLimit"] * 100:.1f} %',
                 f'≥ 70 % {verdict(receive["vsLimit"] >= TARGETS["receive_vs_limit"])}'))
    rows.append(('CPU per million received, C', f'{m["cpuUsPerMessageMedian"]:.2f} s', ''))
    if js:
        cpu_ratio = m['cpuUsPerMessageMedian'] / js['cpuUsPerMessageMedian']
        rows.append(('CPU per million received, JS', f'{js["cpuUsPerMessageMedian"]:.2f} s', ''))
        rows.append(('CPU ratio C/JS', f'{cpu_ratio:.2f}', f'≤ 0.33 {verdict(cpu_ratio <= TARGETS["cpu_ratio"])}'))
    rows.append(('CPU per million received, bare libsoup', f'{raw["cpuUsPerMessageMedian"]:.2f} s', ''))
    rows.append(('Peak RSS, C', f'{m["maxRssKb"] / 1024:.1f} MB', ''))
    if js:
        rss_ratio = m['maxRssKb'] / js['maxRssKb']
        rows.append(('Peak RSS, JS', f'{js["maxRssKb"] / 1024:.1f} MB', ''))
        rows.append(('RSS ratio C/JS', f'{rss_ratio:.2f}', f'≤ 0.25 {verdict(rss_ratio <= TARGETS["rss_ratio"])}'))
    for key, n in (('inflight1', 1), ('inflight64', 64)):
        entry = results['publish'][key]
        pm = entry['metered']
        rows.append((f'Acked publishes N={n}, C', f'{fmt_rate(pm["rateMedian"])}/s, '
                     f'p50 {pm["p50UsMedian"]:.0f} µs, p99 {pm["p99UsMedian"]:.0f} µs',
                     f'p99 ≤ 1 ms {verdict(pm["p99UsMedian"] <= TARGETS["p99_n1_us"])}' if n == 1 else ''))
        if 'js' in entry:
            pj = entry['js']
            rows.append((f'Acked publishes N={n}, JS', f'{fmt_rate(pj["rateMedian"])}/s, '
                         f'p50 {pj["p50UsMedian"]:.0f} µs, p99 {pj["p99UsMedian"]:.0f} µs', ''))
            rows.append((f'Acked publishes N={n}, ratio C/JS', f'{entry["ratio"]:.2f}×',
                         f'≥ 2× {verdict(entry["ratio"] >= TARGETS["publish_ratio"])}'))
    for hold in results['devserver']['hold']:
        per = hold['bytesPerConnection']
        got = '' if hold['complete'] else f' (only {hold["welcomed"]:,} within the time allowed)'
        rows.append((f'Devserver, {hold["connections"]:,} held connections',
                     f'{per / 1024:.1f} KB each, set up in {hold["seconds"]:.1f} s{got}',
                     f'≤ 20 KB {verdict(per <= TARGETS["bytes_per_connection"] and hold["complete"])}'
                     if hold['connections'] >= 10000 else ''))
    fan = results['devserver']['fanout']
    rows.append((f'Fan-out to {fan["subscribers"]:,}, burst', f'{fmt_rate(fan["deliveriesPerSecond"])} deliveries/s '
                 f'({fmt_rate(fan["deliveriesPerServerCpuSecond"])} per server CPU s)',
                 f'≥ 500,000/s {verdict(fan["deliveriesPerSecond"] >= TARGETS["fanout_per_second"])}'))
    rows.append((f'Fan-out to {fan["subscribers"]:,}, one publish', f'latency p50 {fan["latencyP50Us"] / 1000:.1f} ms, '
                 f'p99 {fan["latencyP99Us"] / 1000:.1f} ms, max {fan["latencyMaxUs"] / 1000:.1f} ms', ''))
    inspector = results['inspector']
    if inspector.get('status') == 'ok':
        rows.append(('Inspector: delivered rate', f'{fmt_rate(inspector.get("deliveredPerSecond", 0))} msg/s', ''))
        rows.append(('Inspector: max main-loop stall', f'{inspector.get("maxStallMs", 0):.1f} ms', ''))
        rows.append(('Inspector: RSS per retained message', f'{inspector.get("rssBytesPerMessage", 0):.0f} bytes', ''))
    else:
        rows.append(('Inspector ingestion', inspector.get('status', '?'), ''))

    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    widths = [max(w, len(h)) for w, h in zip(widths, ('What', 'Measured', 'Target'))]
    out = []
    out.append('  '.join(h.ljust(w) for h, w in zip(('What', 'Measured', 'Target'), widths)))
    out.append('  '.join('-' * w for w in widths))
    for row in rows:
        out.append('  '.join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    return '\n'.join(out)


def main():
    parser = argparse.ArgumentParser(description='libmetered vs the official JS SDK, devserver scale, inspector ingestion')
    parser.add_argument('--builddir', required=True)
    parser.add_argument('--quick', action='store_true', help='a few seconds in all, to prove the harness works')
    parser.add_argument('--rounds', type=int, default=5, help='receive rounds per client (full mode)')
    parser.add_argument('--messages', type=int, default=300000, help='messages per receive run (full mode)')
    parser.add_argument('--results-dir', default=os.path.join(HERE, 'results'))
    parser.add_argument('--no-inspector', action='store_true',
                        help='leave out bench-inspector (it has a test of its own)')
    args = parser.parse_args()

    bench = Bench(args)
    try:
        results = bench.run()
    except Failure as error:
        log(f'run-bench: {error}')
        return 1

    print(table(results))
    ratio = results['receive'].get('ratio')
    print(f'receive throughput ratio C/JS: {ratio["median"]:.2f}' if ratio
          else f'receive throughput ratio C/JS: n/a ({bench.js_problem})')

    os.makedirs(args.results_dir, exist_ok=True)
    stamp = datetime.datetime.now().strftime('%Y%m%d-%H%M%S')
    for name in ('latest.json', f'{"quick" if args.quick else "full"}-{stamp}.json'):
        with open(os.path.join(args.results_dir, name), 'w') as f:
            json.dump(results, f, indent=2)
            f.write('\n')
    log(f'results: {os.path.join(args.results_dir, "latest.json")}')

    # Without the JS SDK the quick check proves less than it should.
    return EXIT_SKIP if ratio is None and args.quick else 0


if __name__ == '__main__':
    sys.exit(main())
