#!/usr/bin/env python3
"""Runs the corpus programs on the running kernel (root, bpftool, bpffs on /sys/fs/bpf) and checks
the results their header comments document, through BPF_PROG_TEST_RUN (bpftool prog run).

    sudo python3 corpus/kernel-check.py [CORPUS_DIR]    (default: corpus/target/classes/corpus)

libbpf >= 1.0 refuses legacy_maps.o (SEC("maps")), so it is not run here. Prints one line per
check and exits 1 if any result differs. Pins under /sys/fs/bpf/obpf-corpus-check, removed at the end.
Not part of the Maven build: the kernel comparison of every engine builds on the same cases.
"""
import subprocess, struct, os, sys, shutil, tempfile
C = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), 'target', 'classes', 'corpus')
PIN = '/sys/fs/bpf/obpf-corpus-check'
def sh(*a):
    r = subprocess.run(a, capture_output=True, text=True)
    if r.returncode: raise SystemExit(' '.join(a) + '\n' + r.stdout + r.stderr)
    return r.stdout
def load(obj):
    d = f'{PIN}/{obj}'; m = f'{PIN}/{obj}_maps'
    if os.path.exists(d): shutil.rmtree(d)
    if os.path.exists(m): shutil.rmtree(m)
    sh('bpftool', 'prog', 'loadall', f'{C}/{obj}.o', d, 'pinmaps', m)
    return d, m
def run(d, prog, data):
    pkt = os.path.join(tempfile.gettempdir(), 'obpf-corpus-check.pkt')
    open(pkt, 'wb').write(data)
    out = sh('bpftool', 'prog', 'run', 'pinned', f'{d}/{prog}', 'data_in', pkt, 'repeat', '1')
    for l in out.splitlines():
        if 'Return value' in l: return int(l.split(':')[1].split(',')[0])
def eth(proto=0x0800): return b'\x00\x11\x22\x33\x44\x55' + b'\x66\x77\x88\x99\xaa\xbb' + struct.pack('>H', proto)
def ip(proto=17, ttl=64, src=b'\x0a\x00\x00\x01', dst=b'\x0a\x00\x00\x02', ihl=5, payload=8):
    return bytes([0x40 | ihl, 0]) + struct.pack('>HHH', 20 + payload, 0, 0) + bytes([ttl, proto]) + b'\0\0' + src + dst + b'\0' * (4 * (ihl - 5))
def udp(dport): return struct.pack('>HHHH', 1234, dport, 8, 0)
fails = 0
def check(name, got, want):
    global fails
    ok = got == want
    fails += not ok
    print(('OK  ' if ok else 'BAD ') + f'{name}: got {got} want {want}')
os.makedirs(PIN, exist_ok=True)
d, m = load('xdp_parse_udp')
check('parse dport 9', run(d, 'xdp_parse_udp', eth() + ip() + udp(9)), 1)
check('parse dport 53', run(d, 'xdp_parse_udp', eth() + ip() + udp(53)), 2)
check('parse dport 7', run(d, 'xdp_parse_udp', eth() + ip() + udp(7)), 3)
check('parse tcp', run(d, 'xdp_parse_udp', eth() + ip(proto=6) + udp(9)), 2)
check('parse arp', run(d, 'xdp_parse_udp', eth(0x0806) + b'\0' * 28), 2)
check('parse ip trunc', run(d, 'xdp_parse_udp', eth() + b'\x45' * 10), 1)
check('parse ihl<5', run(d, 'xdp_parse_udp', eth() + ip(ihl=4)[:20] + udp(53)), 1)
check('parse udp trunc', run(d, 'xdp_parse_udp', eth() + ip() + b'\0\0'), 1)
d, m = load('bounded_loop')
check('loop 32x ff', run(d, 'sum_bytes_loop', b'\xff' * 32), 1)
check('loop 64x 01', run(d, 'sum_bytes_loop', b'\x01' * 64), 2)
check('loop 14x 00', run(d, 'sum_bytes_loop', b'\x00' * 14), 2)
d, m = load('bpf2bpf_calls')
check('checksum 01', run(d, 'xdp_checksum', b'\x01' + b'\0' * 13), 1)
check('checksum 02', run(d, 'xdp_checksum', b'\x02' + b'\0' * 13), 2)
check('checksum 64xff', run(d, 'xdp_checksum', b'\xff' * 64), 2)
check('sock_scale 14+10', run(d, 'sock_scale', b'\0' * 24), 3 * 10 + 1 + 10)
d, m = load('loop_callback')
check('squares 19', run(d, 'sum_squares', b'\0' * 19), 2)
check('squares 22', run(d, 'sum_squares', b'\0' * 22), 1)
check('squares 64', run(d, 'sum_squares', b'\0' * 64), 1)
check('squares 14', run(d, 'sum_squares', b'\0' * 14), 2)
d, m = load('global_data')
check('global 150', run(d, 'classify_len', b'\0' * 150), 1)
check('global 60', run(d, 'classify_len', b'\0' * 60), 2)
print(sh('bpftool', 'map', 'dump', 'pinned', f'{m}/global_d_data').strip().replace('\n', ' '))
print(sh('bpftool', 'map', 'dump', 'pinned', f'{m}/global_d_bss').strip().replace('\n', ' '))
print(sh('bpftool', 'map', 'show', 'pinned', f'{m}/global_d_rodata').strip().replace('\n', ' '))
d, m = load('socket_filter')
check('sock udp', run(d, 'udp_only', b'\0' * 14 + eth() + ip() + udp(53)), 42)
check('sock tcp', run(d, 'udp_only', b'\0' * 14 + eth() + ip(proto=6) + udp(53)), 0)
check('sock arp', run(d, 'udp_only', eth(0x0806) + b'\0' * 28), 0)
d, m = load('tc_classifier')
check('tc ttl1', run(d, 'tc_mark', eth() + ip(ttl=1) + udp(1)), 2)
check('tc ok', run(d, 'tc_mark', eth() + ip() + udp(1)), 0)
check('cls', run(d, 'cls_priority', b'\0' * 1500), 0)
d, m = load('tail_calls')
sh('bpftool', 'map', 'update', 'pinned', f'{m}/jmp_table', 'key', '1', '0', '0', '0', 'value', 'pinned', f'{d}/handle_drop')
sh('bpftool', 'map', 'update', 'pinned', f'{m}/jmp_table', 'key', '2', '0', '0', '0', 'value', 'pinned', f'{d}/handle_tx')
check('tail 01', run(d, 'dispatch', b'\x01' + b'\0' * 13), 1)
check('tail 02', run(d, 'dispatch', b'\x02' + b'\0' * 13), 3)
check('tail 00', run(d, 'dispatch', b'\x00' + b'\0' * 13), 2)
check('tail 03', run(d, 'dispatch', b'\x03' + b'\0' * 13), 2)
d, m = load('multi_prog')
check('second 1', run(d, 'xdp_second', b'\0' * 14), 2)
check('second 2', run(d, 'xdp_second', b'\0' * 14), 2)
check('second 3', run(d, 'xdp_second', b'\0' * 14), 1)
check('sock_count', run(d, 'sock_count', b'\0' * 34), 20)
check('tc_count', run(d, 'tc_count', b'\0' * 20), 0)
d, m = load('queue_stack')
check('pop fresh', run(d, 'pop_len', b'\0' * 60), 0)
run(d, 'push_len', b'\0' * 60); run(d, 'push_len', b'\0' * 80)
check('pop 60/80', run(d, 'pop_len', b'\0' * 14), 2)
d, m = load('queue_stack')
run(d, 'push_len', b'\0' * 60)
check('pop 60/60', run(d, 'pop_len', b'\0' * 14), 1)
d, m = load('lpm_route')
sh('bpftool', 'map', 'update', 'pinned', f'{m}/routes', 'key', '8', '0', '0', '0', '10', '0', '0', '0', 'value', '1', '0', '0', '0', '1', '0', '0', '0')
sh('bpftool', 'map', 'update', 'pinned', f'{m}/routes', 'key', '24', '0', '0', '0', '10', '1', '2', '0', 'value', '2', '0', '0', '0', '3', '0', '0', '0')
check('lpm 10.1.2.3', run(d, 'route_lookup', eth() + ip(dst=bytes([10, 1, 2, 3])) + udp(1)), 3)
check('lpm 10.9.9.9', run(d, 'route_lookup', eth() + ip(dst=bytes([10, 9, 9, 9])) + udp(1)), 1)
check('lpm 192.168.0.1', run(d, 'route_lookup', eth() + ip(dst=bytes([192, 168, 0, 1])) + udp(1)), 2)
d, m = load('xdp_count_array')
for i in range(3): run(d, 'xdp_count_array', eth() + ip() + udp(1) + b'\0' * 18)
print(sh('bpftool', 'map', 'lookup', 'pinned', f'{m}/proto_packets', 'key', '17', '0', '0', '0').strip().replace('\n', ' '))
print(sh('bpftool', 'map', 'lookup', 'pinned', f'{m}/proto_bytes', 'key', '17', '0', '0', '0').strip().replace('\n', ' '))
if os.path.exists('/sys/fs/bpf/src_stats'): os.remove('/sys/fs/bpf/src_stats')
d = f'{PIN}/hash_counter'
if os.path.exists(d): shutil.rmtree(d)
sh('bpftool', 'prog', 'loadall', f'{C}/hash_counter.o', d)
run(d, 'count_sources', eth() + ip() + udp(1) + b'\0' * 58); run(d, 'count_sources', eth() + ip() + udp(1) + b'\0' * 58)
run(d, 'count_sources', eth() + ip(src=b'\x0a\0\0\x02') + udp(1) + b'\0' * 22)
print(sh('bpftool', 'map', 'dump', 'pinned', '/sys/fs/bpf/src_stats').strip().replace('\n', ' '))
os.remove('/sys/fs/bpf/src_stats')
d, m = load('percpu_maps')
check('percpu', run(d, 'percpu_count', eth() + ip() + udp(1) + b'\0' * 18), 2)
d, m = load('ringbuf_events')
check('ringbuf', run(d, 'packet_events', eth() + ip() + udp(1) + b'\0' * 18), 2)
d, m = load('map_in_map')
check('mim no inner', run(d, 'inner_count', b'\0' * 61), 1)
shutil.rmtree(PIN)
os.remove(os.path.join(tempfile.gettempdir(), 'obpf-corpus-check.pkt'))
print('FAILS', fails)
sys.exit(1 if fails else 0)
