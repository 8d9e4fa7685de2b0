package org.obpf.core.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.obj.AttachType;
import org.obpf.api.prog.ProgramType;
import org.obpf.api.prog.SkBuff;
import org.obpf.api.prog.TestRun;
import org.obpf.api.prog.XdpMd;
import org.obpf.core.helper.HelperTable;
import org.obpf.core.helper.PacketHelpers;
import org.obpf.core.map.MapTable;
import org.obpf.core.prelink.Prelinked;
import org.obpf.core.prelink.Prelinker;
import org.obpf.core.testing.Bpf;

class TestRunnerTest {
    private final MapTable maps = new MapTable(2);
    private final TestRunner runner = new TestRunner();

    /** Ethernet + IPv4 + UDP to {@code dstPort}, with {@code payload} bytes of payload. */
    static byte[] udpPacket(int dstPort, int payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 8 + payload).order(ByteOrder.BIG_ENDIAN);
        b.put(new byte[] {2, 0, 0, 0, 0, 1}).put(new byte[] {2, 0, 0, 0, 0, 2}).putShort((short) 0x0800);
        int ipStart = b.position();
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + 8 + payload)).putShort((short) 1).putShort((short) 0)
                .put((byte) 64).put((byte) 17).putShort((short) 0).put(new byte[] {10, 0, 0, 1}).put(new byte[] {10, 0, 0, 2});
        b.putShort(ipStart + 10, (short) ipChecksum(b.array(), ipStart));
        b.putShort((short) 1234).putShort((short) dstPort).putShort((short) (8 + payload)).putShort((short) 0);
        for (int i = 0; i < payload; i++) b.put((byte) i);
        return b.array();
    }

    static int ipChecksum(byte[] p, int start) {
        int sum = 0;
        for (int i = 0; i < 20; i += 2) sum += (p[start + i] & 0xff) << 8 | (p[start + i + 1] & 0xff);
        while ((sum >>> 16) != 0) sum = (sum & 0xffff) + (sum >>> 16);
        return ~sum & 0xffff;
    }

    private Prelinked prog(String text, ProgramType type) throws BpfException {
        return Bpf.prelink(text, type, maps);
    }

    /** Drops UDP to port 53, passes everything else: the shape of a real XDP filter. */
    private static final String DROP_DNS = """
            ldxw %r2, [%r1+0]
            ldxw %r3, [%r1+4]
            mov %r4, %r2
            add %r4, 42
            jgt %r4, %r3, pass
            ldxh %r5, [%r2+12]
            jne %r5, 0x0008, pass
            ldxb %r5, [%r2+23]
            jne %r5, 17, pass
            ldxh %r5, [%r2+36]
            jne %r5, 0x3500, pass
            mov %r0, 1
            exit
            pass:
            mov %r0, 2
            exit
            """;

    @Test
    void xdpProgramParsesThePacket() throws BpfException {
        Prelinked p = prog(DROP_DNS, ProgramType.XDP);
        TestRun.Result dns = runner.run(p, TestRun.Request.of(udpPacket(53, 10)));
        assertEquals(XdpMd.XDP_DROP, dns.retval());
        assertArrayEquals(udpPacket(53, 10), dns.dataOut());
        assertEquals(52, dns.dataSizeOut());
        assertNull(dns.error());
        assertEquals(XdpMd.XDP_PASS, runner.run(p, TestRun.Request.of(udpPacket(80, 10))).retval());
        // too short for the bounds check: passes without reading past data_end
        assertEquals(XdpMd.XDP_PASS, runner.run(p, TestRun.Request.of(Arrays.copyOf(udpPacket(53, 0), 30))).retval());
    }

    @Test
    void devmapAndCpumapProgramsHaveNoTestRun() throws BpfException {
        // bpf_prog_test_run_xdp refuses programs loaded for a devmap or cpumap entry
        for (AttachType attach : new AttachType[] {AttachType.XDP_DEVMAP, AttachType.XDP_CPUMAP}) {
            Prelinked p = Prelinker.prelink(Bpf.asm("mov %r0, 2\nexit"), ProgramType.XDP, maps::get,
                    HelperTable.builtins(ProgramType.XDP), Prelinker.Options.DEFAULT.withExpectedAttachType(Optional.of(attach)));
            BpfException e = assertThrows(BpfException.class, () -> runner.run(p, TestRun.Request.of(udpPacket(53, 10))));
            assertEquals(Errno.EINVAL, e.errno());
            assertEquals("test_run: XDP programs for attach type " + attach.name().toLowerCase() + " cannot be test-run", e.getMessage());
        }
        Prelinked plain = Prelinker.prelink(Bpf.asm("mov %r0, 2\nexit"), ProgramType.XDP, maps::get,
                HelperTable.builtins(ProgramType.XDP), Prelinker.Options.DEFAULT.withExpectedAttachType(Optional.of(AttachType.XDP)));
        assertEquals(XdpMd.XDP_PASS, runner.run(plain, TestRun.Request.of(udpPacket(53, 10))).retval());
    }

    @Test
    void xdpCannotReadPastTheFrame() throws BpfException {
        // a program without bounds checks reading far beyond the packet: the run fails, nothing crashes
        Prelinked p = prog("ldxw %r2, [%r1+0]\nldxdw %r0, [%r2+8000]\nexit", ProgramType.XDP);
        BpfException e = assertThrows(BpfException.class, () -> runner.run(p, TestRun.Request.of(udpPacket(1, 0))));
        assertEquals(Errno.EFAULT, e.errno());
    }

    @Test
    void adjustHeadPopsAndPushesHeaders() throws BpfException {
        byte[] pkt = udpPacket(53, 4);
        // pop the Ethernet header
        Prelinked pop = prog("mov %r6, %r1\nmov %r2, 14\ncall 44\njne %r0, 0, +1\nmov %r0, 2\nexit", ProgramType.XDP);
        TestRun.Result r = runner.run(pop, TestRun.Request.of(pkt));
        assertEquals(XdpMd.XDP_PASS, r.retval());
        assertArrayEquals(Arrays.copyOfRange(pkt, 14, pkt.length), r.dataOut());
        // push 4 bytes and write them
        Prelinked push = prog("""
                mov %r6, %r1
                mov %r2, -4
                call 44
                jne %r0, 0, fail
                ldxw %r2, [%r6+0]
                ldxw %r3, [%r6+4]
                mov %r4, %r2
                add %r4, 4
                jgt %r4, %r3, fail
                stw [%r2+0], 0x44332211
                mov %r0, 2
                exit
                fail:
                mov %r0, 0
                exit
                """, ProgramType.XDP);
        r = runner.run(push, TestRun.Request.of(pkt));
        assertEquals(XdpMd.XDP_PASS, r.retval());
        byte[] expected = new byte[pkt.length + 4];
        expected[0] = 0x11;
        expected[1] = 0x22;
        expected[2] = 0x33;
        expected[3] = 0x44;
        System.arraycopy(pkt, 0, expected, 4, pkt.length);
        assertArrayEquals(expected, r.dataOut());
        // more than the headroom (256 minus the xdp_frame kept at its start): -EINVAL
        Prelinked tooFar = prog("mov %r2, -240\ncall 44\nexit", ProgramType.XDP);
        assertEquals(-Errno.EINVAL.value() & 0xffffffffL, runner.run(tooFar, TestRun.Request.of(pkt)).retval());
        Prelinked justRight = prog("mov %r2, -216\ncall 44\nexit", ProgramType.XDP);
        assertEquals(0, runner.run(justRight, TestRun.Request.of(pkt)).retval());
        // leaving less than ETH_HLEN: -EINVAL
        Prelinked tooShort = prog("mov %r2, " + (pkt.length - 13) + "\ncall 44\nexit", ProgramType.XDP);
        assertEquals(-Errno.EINVAL.value() & 0xffffffffL, runner.run(tooShort, TestRun.Request.of(pkt)).retval());
    }

    @Test
    void adjustTailAndMeta() throws BpfException {
        byte[] pkt = udpPacket(53, 4);
        TestRun.Result shrink = runner.run(prog("mov %r2, -4\ncall 65\nexit", ProgramType.XDP), TestRun.Request.of(pkt));
        assertEquals(0, shrink.retval());
        assertArrayEquals(Arrays.copyOf(pkt, pkt.length - 4), shrink.dataOut());
        TestRun.Result grow = runner.run(prog("mov %r2, 6\ncall 65\nexit", ProgramType.XDP), TestRun.Request.of(pkt));
        assertArrayEquals(Arrays.copyOf(pkt, pkt.length + 6), grow.dataOut(), "grown bytes are zeroed");
        // the frame ends 320 bytes (skb_shared_info) before 4096
        int room = 4096 - 256 - 320 - pkt.length;
        assertEquals(0, runner.run(prog("mov %r2, " + room + "\ncall 65\nexit", ProgramType.XDP), TestRun.Request.of(pkt)).retval());
        assertEquals(-Errno.EINVAL.value() & 0xffffffffL,
                runner.run(prog("mov %r2, " + (room + 1) + "\ncall 65\nexit", ProgramType.XDP), TestRun.Request.of(pkt)).retval());
        // metadata: 8 bytes before data, written by the program, returned in data_out and as ctx data
        Prelinked meta = prog("""
                mov %r6, %r1
                mov %r2, -8
                call 54
                jne %r0, 0, +6
                ldxw %r2, [%r6+8]
                ldxw %r3, [%r6+0]
                mov %r4, %r2
                add %r4, 8
                jgt %r4, %r3, +1
                stdw [%r2+0], 0x77
                mov %r0, 2
                exit
                """, ProgramType.XDP);
        byte[] md = new byte[XdpMd.SIZE];
        ByteBuffer.wrap(md).order(ByteOrder.LITTLE_ENDIAN).putInt(XdpMd.DATA_END, pkt.length).putInt(XdpMd.INGRESS_IFINDEX, 1);
        TestRun.Result r = runner.run(meta, new TestRun.Request(pkt, 4096, md, XdpMd.SIZE, 1));
        assertEquals(2, r.retval());
        assertEquals(pkt.length + 8, r.dataSizeOut());
        assertEquals(0x77, r.dataOut()[0]);
        ByteBuffer ctxOut = ByteBuffer.wrap(r.ctxOut()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(8, ctxOut.getInt(XdpMd.DATA));
        assertEquals(pkt.length + 8, ctxOut.getInt(XdpMd.DATA_END));
        assertEquals(1, ctxOut.getInt(XdpMd.INGRESS_IFINDEX));
        assertEquals(-Errno.EACCES.value() & 0xffffffffL,
                runner.run(prog("mov %r2, -6\ncall 54\nexit", ProgramType.XDP), TestRun.Request.of(pkt)).retval(), "not a multiple of 4");
    }

    @Test
    void dataOutTooSmallIsEnospcWithWhatFits() throws BpfException {
        byte[] pkt = udpPacket(53, 10);
        TestRun.Result r = runner.run(prog("mov %r0, 2\nexit", ProgramType.XDP), new TestRun.Request(pkt, 20, null, 0, 1));
        assertEquals(Errno.ENOSPC, r.error());
        assertArrayEquals(Arrays.copyOf(pkt, 20), r.dataOut());
        assertEquals(pkt.length, r.dataSizeOut());
    }

    @Test
    void xdpCtxInIsCheckedAsTheKernelChecksIt() throws BpfException {
        Prelinked p = prog("ldxw %r0, [%r1+12]\nldxw %r2, [%r1+16]\nlsh %r2, 8\nor %r0, %r2\nexit", ProgramType.XDP);
        byte[] pkt = udpPacket(1, 0);
        assertEquals(1, runner.run(p, TestRun.Request.of(pkt)).retval(), "ingress is lo by default");
        byte[] md = new byte[XdpMd.SIZE];
        ByteBuffer b = ByteBuffer.wrap(md).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(Errno.EINVAL, assertThrows(BpfException.class, () -> runner.run(p, new TestRun.Request(pkt, 0, md, 0, 1))).errno(),
                "data_end must be the data size");
        b.putInt(XdpMd.DATA_END, pkt.length);
        assertEquals(0, runner.run(p, new TestRun.Request(pkt, 0, md, 0, 1)).retval(), "no ingress device");
        b.putInt(XdpMd.EGRESS_IFINDEX, 1);
        assertEquals(Errno.EINVAL, assertThrows(BpfException.class, () -> runner.run(p, new TestRun.Request(pkt, 0, md, 0, 1))).errno());
        b.putInt(XdpMd.EGRESS_IFINDEX, 0).putInt(XdpMd.INGRESS_IFINDEX, 5);
        assertEquals(Errno.ENODEV, assertThrows(BpfException.class, () -> runner.run(p, new TestRun.Request(pkt, 0, md, 0, 1))).errno());
        b.putInt(XdpMd.INGRESS_IFINDEX, 0).putInt(XdpMd.RX_QUEUE_INDEX, 1);
        assertEquals(Errno.EINVAL, assertThrows(BpfException.class, () -> runner.run(p, new TestRun.Request(pkt, 0, md, 0, 1))).errno());
        byte[] longer = Arrays.copyOf(md, 32);
        longer[30] = 1;
        assertEquals(Errno.E2BIG, assertThrows(BpfException.class, () -> runner.run(p, new TestRun.Request(pkt, 0, longer, 0, 1))).errno());
        assertEquals("data_in: 13 bytes, at least ETH_HLEN (14) needed",
                assertThrows(BpfException.class, () -> runner.run(p, TestRun.Request.of(new byte[13]))).getMessage());
    }

    @Test
    void repeatRunsOnTheSameBufferAndReportsTheAverage() throws BpfException {
        // each run pops 2 bytes: after 3 runs, 6 are gone (the kernel does not reset the packet between runs)
        Prelinked p = prog("mov %r2, 2\ncall 44\nmov %r0, 2\nexit", ProgramType.XDP);
        byte[] pkt = udpPacket(1, 10);
        TestRun.Result r = runner.run(p, new TestRun.Request(pkt, 4096, null, 0, 3));
        assertArrayEquals(Arrays.copyOfRange(pkt, 6, pkt.length), r.dataOut());
        assertTrue(r.durationNs() >= 0);
        TestRun.Result many = runner.run(prog(DROP_DNS, ProgramType.XDP), new TestRun.Request(pkt, 0, null, 0, 10_000));
        assertTrue(many.durationNs() > 0 && many.durationNs() < 1_000_000, "average " + many.durationNs() + " ns");
        assertEquals(0, many.dataOut().length);
    }

    @Test
    void redirectRecordsTheTarget() throws BpfException {
        assertEquals(XdpMd.XDP_REDIRECT, runner.run(prog("mov %r1, 7\nmov %r2, 0\ncall 23\nexit", ProgramType.XDP),
                TestRun.Request.of(udpPacket(1, 0))).retval());
        assertEquals(new PacketHelpers.Redirect(7, 0), PacketHelpers.lastRedirect());
        assertEquals(XdpMd.XDP_ABORTED, runner.run(prog("mov %r1, 7\nmov %r2, 1\ncall 23\nexit", ProgramType.XDP),
                TestRun.Request.of(udpPacket(1, 0))).retval());
        assertEquals(SkBuff.TC_ACT_REDIRECT, runner.run(prog("mov %r1, 3\nmov %r2, 1\ncall 23\nexit", ProgramType.SCHED_CLS),
                TestRun.Request.of(udpPacket(1, 0))).retval());
        assertEquals(new PacketHelpers.Redirect(3, 1), PacketHelpers.lastRedirect());
        assertEquals(SkBuff.TC_ACT_SHOT, runner.run(prog("mov %r1, 3\nmov %r2, 2\ncall 23\nexit", ProgramType.SCHED_CLS),
                TestRun.Request.of(udpPacket(1, 0))).retval());
    }

    @Test
    void redirectMapSendsThroughADevmapOrFallsBackToTheFlagsAction() throws BpfException {
        int fd = maps.create(new org.obpf.api.map.MapSpec("tx", org.obpf.api.map.MapType.DEVMAP, 4, 4, 4, 0));
        maps.get(fd).update(new byte[] {2, 0, 0, 0}, new byte[] {9, 0, 0, 0}, 0);
        String prog = "lddw %r1, MAP\nmov %r2, KEY\nmov %r3, FLAGS\ncall 51\nexit".replace("MAP", Bpf.map(fd));
        byte[] pkt = udpPacket(1, 0);
        assertEquals(XdpMd.XDP_REDIRECT, runner.run(prog(prog.replace("KEY", "2").replace("FLAGS", "0"), ProgramType.XDP),
                TestRun.Request.of(pkt)).retval());
        assertEquals(new PacketHelpers.Redirect(9, 0, maps.get(fd).id()), PacketHelpers.lastRedirect());
        assertEquals(XdpMd.XDP_PASS, runner.run(prog(prog.replace("KEY", "1").replace("FLAGS", "2"), ProgramType.XDP),
                TestRun.Request.of(pkt)).retval(), "empty slot: the action in the flags");
        assertEquals(XdpMd.XDP_ABORTED, runner.run(prog(prog.replace("KEY", "2").replace("FLAGS", "0x40"), ProgramType.XDP),
                TestRun.Request.of(pkt)).retval(), "unknown flag");
    }

    @Test
    void perfEventOutputAppendsPacketBytesOnRequest() throws BpfException {
        int fd = maps.create(new org.obpf.api.map.MapSpec("events", org.obpf.api.map.MapType.PERF_EVENT_ARRAY, 4, 4, 2, 0));
        var buffer = ((org.obpf.core.map.PerfEventArrayMap) maps.get(fd)).attach(1, 16);
        // bpf_perf_event_output(ctx, events, index 1 | 14 packet bytes << 32, &u32, 4)
        String prog = "stw [%r10-4], 0x01020304\nlddw %r2, MAP\nlddw %r3, FLAGS\nmov %r4, %r10\nadd %r4, -4\nmov %r5, 4\ncall 25\nexit"
                .replace("MAP", Bpf.map(fd));
        byte[] pkt = udpPacket(1, 0);
        assertEquals(0, runner.run(prog(prog.replace("FLAGS", "0xe00000001"), ProgramType.XDP), TestRun.Request.of(pkt)).retval());
        var samples = buffer.poll();
        assertEquals(1, samples.size());
        byte[] expected = new byte[20]; // 4 + 14 bytes, padded so that the u32 size header + data is 24
        expected[0] = 4;
        expected[1] = 3;
        expected[2] = 2;
        expected[3] = 1;
        System.arraycopy(pkt, 0, expected, 4, 14);
        assertArrayEquals(expected, samples.get(0));
        assertEquals(-Errno.ENOENT.value() & 0xffffffffL,
                runner.run(prog(prog.replace("FLAGS", "0"), ProgramType.SCHED_CLS), TestRun.Request.of(pkt)).retval(), "slot 0 has no buffer");
        assertEquals(-Errno.E2BIG.value() & 0xffffffffL,
                runner.run(prog(prog.replace("FLAGS", "2"), ProgramType.SCHED_CLS), TestRun.Request.of(pkt)).retval());
        assertEquals(-Errno.EFAULT.value() & 0xffffffffL,
                runner.run(prog(prog.replace("FLAGS", "0x10000000001"), ProgramType.XDP), TestRun.Request.of(pkt)).retval(),
                "more packet bytes than the packet has");
        assertEquals(-Errno.EINVAL.value() & 0xffffffffL,
                runner.run(prog(prog.replace("FLAGS", "0x10000000000001"), ProgramType.XDP), TestRun.Request.of(pkt)).retval());
    }

    @Test
    void tcSeesTheSkbFromTheEthernetHeaderAndWritesMarkAndCb() throws BpfException {
        Prelinked p = prog("""
                ldxw %r2, [%r1+76]
                ldxw %r3, [%r1+80]
                ldxw %r4, [%r1+0]
                ldxw %r5, [%r1+16]
                ldxw %r6, [%r1+8]
                add %r6, 1
                stxw [%r1+8], %r6
                stxw [%r1+48], %r4
                mov %r0, %r3
                sub %r0, %r2
                lsh %r5, 16
                or %r0, %r5
                exit
                """, ProgramType.SCHED_CLS);
        byte[] pkt = udpPacket(53, 10);
        byte[] ctx = new byte[SkBuff.SIZE];
        ByteBuffer.wrap(ctx).order(ByteOrder.LITTLE_ENDIAN).putInt(SkBuff.MARK, 41);
        TestRun.Result r = runner.run(p, new TestRun.Request(pkt, 4096, ctx, SkBuff.SIZE, 1));
        // data_end - data = 52, protocol = htons(ETH_P_IP) as the program loads it: 0x0008
        assertEquals(0x0008 << 16 | 52, r.retval());
        ByteBuffer out = ByteBuffer.wrap(r.ctxOut()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(42, out.getInt(SkBuff.MARK));
        assertEquals(52, out.getInt(SkBuff.CB));
        assertEquals(1, out.getInt(SkBuff.IFINDEX));
        assertEquals(52, out.getInt(SkBuff.WIRE_LEN));
        assertArrayEquals(pkt, r.dataOut());
        ByteBuffer.wrap(ctx).order(ByteOrder.LITTLE_ENDIAN).putInt(SkBuff.LEN, 1);
        assertEquals(Errno.EINVAL, assertThrows(BpfException.class, () -> runner.run(p, new TestRun.Request(pkt, 0, ctx, 0, 1))).errno(),
                "len may not be set");
    }

    @Test
    void socketFilterStartsAtTheNetworkHeaderAndGetsAZeroedLinkHeaderBack() throws BpfException {
        // r0 = skb->len; skb_load_bytes(skb, 9, &stack, 1) -> the IP protocol byte
        Prelinked p = prog("""
                mov %r6, %r1
                mov %r2, 9
                mov %r3, %r10
                add %r3, -8
                mov %r4, 1
                call 26
                jne %r0, 0, +4
                ldxb %r0, [%r10-8]
                lsh %r0, 16
                ldxw %r1, [%r6+0]
                or %r0, %r1
                exit
                """, ProgramType.SOCKET_FILTER);
        byte[] pkt = udpPacket(53, 10);
        TestRun.Result r = runner.run(p, TestRun.Request.of(pkt));
        assertEquals(17 << 16 | 38, r.retval());
        byte[] expected = pkt.clone();
        Arrays.fill(expected, 0, 14, (byte) 0);
        assertArrayEquals(expected, r.dataOut());
        // beyond the packet: -EFAULT
        Prelinked far = prog("mov %r2, 100\nmov %r3, %r10\nadd %r3, -8\nmov %r4, 1\ncall 26\nexit", ProgramType.SOCKET_FILTER);
        assertEquals(-Errno.EFAULT.value() & 0xffffffffL, runner.run(far, TestRun.Request.of(pkt)).retval());
    }

    @Test
    void legacyPacketLoadsBecomeLoadHelperCalls() throws BpfException {
        // classic socket filter: accept UDP (ip proto at network offset 9) with the whole length, drop the rest
        String text = """
                mov %r6, %r1
                ldabsb 9
                jne %r0, 17, drop
                mov %r7, 2
                ldindh %r7, 20
                mov %r8, %r0
                ldabsw SKF_LL
                rsh %r0, 16
                lsh %r8, 16
                or %r0, %r8
                exit
                drop:
                mov %r0, 0
                exit
                """.replace("SKF_LL", Integer.toString(PacketHelpers.SKF_LL_OFF + 12));
        Prelinked p = prog(text, ProgramType.SOCKET_FILTER);
        // bpf_gen_ld_abs for "ldabsb 9": r2 = 9; r1 = r6; call; if r0 s>= 0 goto +2; w0 ^= w0; exit
        long[] out = p.insns();
        assertEquals(org.obpf.api.insn.Insn.encode(0xb7, 2, 0, 0, 9), out[1]);
        assertEquals(org.obpf.api.insn.Insn.encode(0xbf, 1, 6, 0, 0), out[2]);
        assertEquals(org.obpf.api.insn.Insn.encode(0x85, 0, 0, 0, 0), out[3]);
        assertEquals(org.obpf.api.insn.Insn.encode(0x75, 0, 0, 2, 0), out[4]);
        assertEquals(org.obpf.api.insn.Insn.encode(0xac, 0, 0, 0, 0), out[5]);
        assertEquals(org.obpf.api.insn.Insn.encode(0x95, 0, 0, 0, 0), out[6]);
        assertEquals("skb_load_helper_8_no_cache", p.helpers().get(0).name());
        // socket filters start at the network header: 2 + 20 = the UDP destination port; link-layer offset 12 = the ethertype
        assertEquals(53L << 16 | 0x0800, runner.run(p, TestRun.Request.of(udpPacket(53, 0))).retval());
        byte[] tcp = udpPacket(53, 0);
        tcp[23] = 6;
        assertEquals(0, runner.run(p, TestRun.Request.of(tcp)).retval());
        // a load past the packet ends the program with 0
        Prelinked past = prog("mov %r6, %r1\nldabsw 1000\nmov %r0, 7\nexit", ProgramType.SOCKET_FILTER);
        assertEquals(0, runner.run(past, TestRun.Request.of(udpPacket(53, 0))).retval());
        assertEquals("insn 0: at the time of BPF_LD_ABS|IND R6 != pointer to skb",
                assertThrows(BpfException.class, () -> prog("ldabsb 0\nexit", ProgramType.SOCKET_FILTER)).getMessage());
        assertEquals("insn 1: BPF_LD_[ABS|IND] instructions not allowed for this program type",
                assertThrows(BpfException.class, () -> prog("mov %r6, %r1\nldabsb 0\nexit", ProgramType.XDP)).getMessage());
    }

    @Test
    void l3CsumReplaceKeepsTheIpChecksumValid() throws BpfException {
        // decrement the TTL (byte 22) and fix the checksum (bytes 24..25) with csum_replace2 on the 16-bit word at 22
        Prelinked p = prog("""
                mov %r6, %r1
                ldxw %r2, [%r1+76]
                ldxw %r3, [%r1+80]
                mov %r4, %r2
                add %r4, 34
                jgt %r4, %r3, out
                ldxh %r7, [%r2+22]
                mov %r8, %r7
                add %r8, -1
                and %r8, 0xffff
                stxh [%r2+22], %r8
                mov %r1, %r6
                mov %r2, 24
                mov %r3, %r7
                mov %r4, %r8
                mov %r5, 2
                call 10
                exit
                out:
                mov %r0, 1
                exit
                """, ProgramType.SCHED_CLS);
        byte[] pkt = udpPacket(53, 4);
        TestRun.Result r = runner.run(p, TestRun.Request.of(pkt));
        assertEquals(0, r.retval());
        byte[] out = r.dataOut();
        assertEquals(63, out[22]);
        assertEquals(0, ipChecksumOfWhole(out, 14), "the header checksums to zero");
        int expected = ipChecksum(withZeroChecksum(out), 14);
        assertEquals(expected, (out[24] & 0xff) << 8 | (out[25] & 0xff));
    }

    private static byte[] withZeroChecksum(byte[] p) {
        byte[] c = p.clone();
        c[24] = 0;
        c[25] = 0;
        return c;
    }

    private static int ipChecksumOfWhole(byte[] p, int start) {
        int sum = 0;
        for (int i = 0; i < 20; i += 2) sum += (p[start + i] & 0xff) << 8 | (p[start + i + 1] & 0xff);
        while ((sum >>> 16) != 0) sum = (sum & 0xffff) + (sum >>> 16);
        return ~sum & 0xffff;
    }

    @Test
    void csumDiffSumsTheWords() throws BpfException {
        // csum_diff(NULL, 0, &word, 4, 0) over 0x0000_0102 written as bytes 02 01 00 00
        Prelinked p = prog("stw [%r10-4], 0x0102\nmov %r1, 0\nmov %r2, 0\nmov %r3, %r10\nadd %r3, -4\nmov %r4, 4\nmov %r5, 0\ncall 28\nexit",
                ProgramType.XDP);
        assertEquals(0x0102, runner.run(p, TestRun.Request.of(udpPacket(1, 0))).retval());
        Prelinked bad = prog("mov %r1, 0\nmov %r2, 0\nmov %r3, %r10\nadd %r3, -4\nmov %r4, 3\nmov %r5, 0\ncall 28\nexit", ProgramType.XDP);
        assertEquals(-Errno.EINVAL.value() & 0xffffffffL, runner.run(bad, TestRun.Request.of(udpPacket(1, 0))).retval());
    }

    @Test
    void getHashRecalcIsStableForAFlow() throws BpfException {
        Prelinked p = prog("call 34\nexit", ProgramType.SCHED_CLS);
        long a = runner.run(p, TestRun.Request.of(udpPacket(53, 0))).retval();
        long b = runner.run(p, TestRun.Request.of(udpPacket(53, 9))).retval();
        long c = runner.run(p, TestRun.Request.of(udpPacket(54, 0))).retval();
        assertEquals(a, b);
        assertTrue(a != c && a != 0);
    }

    @Test
    void flatProgramsGetMemoryAndLength() throws BpfException {
        Prelinked p = prog("ldxb %r0, [%r1+1]\nadd %r0, %r2\nstb [%r1+0], 9\nexit", ProgramType.FLAT);
        TestRun.Result r = runner.run(p, TestRun.Request.of(new byte[] {1, 2, 3}));
        assertEquals(5, r.retval());
        assertArrayEquals(new byte[] {9, 2, 3}, r.dataOut());
        assertEquals(Errno.ENOTSUPP, assertThrows(BpfException.class,
                () -> runner.run(prog("mov %r0, 0\nexit", ProgramType.KPROBE), TestRun.Request.of(new byte[0]))).errno());
    }
}
