package org.obpf.kernelref;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.obpf.api.Errno;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;
import org.obpf.api.prog.ProgramType;
import org.obpf.api.text.Assembler;

/** BPF_PROG_TEST_RUN on the program types differential tests use. */
class KernelTestRunTest {

    @BeforeEach
    void kernel() {
        Kernel.require();
    }

    static final int XDP_DROP = 1;
    static final int XDP_TX = 3;

    /** Marks the first byte of a packet of at least 14 bytes and bounces it; drops shorter ones. */
    static final String XDP_MARK = """
            ldxw %r2, [%r1+0]
            ldxw %r3, [%r1+4]
            mov %r4, %r2
            add %r4, 14
            jgt %r4, %r3, +3
            stb [%r2+0], 0xff
            mov %r0, 3
            exit
            mov %r0, 1
            exit
            """;

    static byte[] packet(int length) {
        byte[] p = new byte[length];
        for (int i = 0; i < length; i++) p[i] = (byte) (i + 1);
        return p;
    }

    @Test
    void xdpProgramRewritesThePacketInDataOut() throws Exception {
        try (KernelProgram p = KernelProgram.load(ProgramType.XDP, Assembler.assemble(XDP_MARK), List.of())) {
            byte[] in = packet(60);
            TestRunResult r = p.testRun(TestRunAttr.packet(in));
            assertEquals(XDP_TX, r.retval());
            byte[] expected = in.clone();
            expected[0] = (byte) 0xff;
            assertArrayEquals(expected, r.dataOut());
            assertEquals(0, r.ctxOut().length);

            TestRunResult repeated = p.testRun(TestRunAttr.packet(in).withRepeat(1000));
            assertEquals(XDP_TX, repeated.retval());
            assertTrue(repeated.duration() >= 0);
        }
    }

    @Test
    void xdpTestRunWantsAtLeastAnEthernetHeader() throws Exception {
        try (KernelProgram p = KernelProgram.load(ProgramType.XDP, Assembler.assemble(XDP_MARK), List.of())) {
            KernelBpfException e = assertThrows(KernelBpfException.class, () -> p.testRun(TestRunAttr.packet(packet(10))));
            assertEquals(Errno.EINVAL, e.errno());
            assertEquals(XDP_TX, p.testRun(TestRunAttr.packet(packet(14))).retval(), "14 bytes are enough");
        }
    }

    @Test
    void xdpContextInPutsMetadataBeforeTheFrameAndComesBackInCtxOut() throws Exception {
        // Returns the u32 of metadata in front of the frame, XDP_ABORTED if there is none.
        long[] program = Assembler.assemble("""
                ldxw %r2, [%r1+0]
                ldxw %r3, [%r1+8]
                mov %r4, %r3
                add %r4, 4
                jgt %r4, %r2, +2
                ldxw %r0, [%r3+0]
                exit
                mov %r0, 0
                exit
                """);
        byte[] data = new byte[64];
        data[0] = XDP_TX; // the metadata
        System.arraycopy(packet(60), 0, data, 4, 60);
        // struct xdp_md: data (= metadata length), data_end, data_meta, ingress_ifindex,
        // rx_queue_index, egress_ifindex
        byte[] ctx = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(4).putInt(64).array();
        try (KernelProgram p = KernelProgram.load(ProgramType.XDP, program, List.of())) {
            TestRunResult r = p.testRun(TestRunAttr.packet(data, ctx));
            assertEquals(XDP_TX, r.retval());
            assertArrayEquals(data, r.dataOut(), "data_out starts at data_meta");
            assertArrayEquals(ctx, r.ctxOut());
            assertEquals(0, p.testRun(TestRunAttr.packet(packet(60))).retval(), "no metadata: XDP_ABORTED");
        }
    }

    @Test
    void tooSmallDataOutIsEnospc() throws Exception {
        try (KernelProgram p = KernelProgram.load(ProgramType.XDP, Assembler.assemble(XDP_MARK), List.of())) {
            KernelBpfException e = assertThrows(KernelBpfException.class,
                    () -> p.testRun(TestRunAttr.packet(packet(60)).withDataSizeOut(20)));
            assertEquals(Errno.ENOSPC, e.errno());
        }
    }

    @Test
    void schedClsSeesTheWholeFrameSocketFilterStartsAtTheNetworkHeader() throws Exception {
        long[] len = Assembler.assemble("ldxw %r0, [%r1+0]\nexit"); // __sk_buff.len
        try (KernelProgram p = KernelProgram.load(ProgramType.SCHED_CLS, len, List.of())) {
            TestRunResult r = p.testRun(TestRunAttr.packet(packet(60)));
            assertEquals(60, r.retval());
            assertArrayEquals(packet(60), r.dataOut());
        }
        // test_run keeps the Ethernet header in the skb only for types that see layer 2 (tc); for
        // the others it pushes a zeroed header back before copying data_out.
        try (KernelProgram p = KernelProgram.load(ProgramType.SOCKET_FILTER, len, List.of())) {
            TestRunResult r = p.testRun(TestRunAttr.packet(packet(60)));
            assertEquals(46, r.retval());
            byte[] expected = packet(60);
            java.util.Arrays.fill(expected, 0, 14, (byte) 0);
            assertArrayEquals(expected, r.dataOut());
        }
    }

    @Test
    void syscallProgramWritesItsContextBack() throws Exception {
        try (KernelProgram p = KernelProgram.load(ProgramType.SYSCALL,
                Assembler.assemble("stw [%r1+4], 42\nmov %r0, 7\nexit"), List.of())) {
            TestRunResult r = p.testRun(TestRunAttr.context(new byte[8]));
            assertEquals(7, r.retval());
            assertArrayEquals(new byte[] {0, 0, 0, 0, 42, 0, 0, 0}, r.ctxIn());
            KernelBpfException tooSmall = assertThrows(KernelBpfException.class, () -> p.testRun(TestRunAttr.context(new byte[4])),
                    "ctx_size_in below the largest offset the program touches");
            assertEquals(Errno.EINVAL, tooSmall.errno());
        }
    }

    @Test
    void rawTracepointReadsItsArguments() throws Exception {
        byte[] args = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(5).putLong(0xfedc_ba98_7654_3210L).array();
        TestRunResult r = KernelProgram.loadAndRun(ProgramType.RAW_TRACEPOINT,
                Assembler.assemble("ldxdw %r0, [%r1+8]\nexit"), List.of(), TestRunAttr.context(args));
        assertEquals(0x7654_3210, r.retval(), "retval holds the low 32 bits of r0");
        assertEquals(0x7654_3210L, r.retvalUnsigned());
        TestRunResult high = KernelProgram.loadAndRun(ProgramType.RAW_TRACEPOINT,
                Assembler.assemble("ldxw %r0, [%r1+12]\nexit"), List.of(), TestRunAttr.context(args));
        assertEquals(0xfedc_ba98, high.retval());
        assertEquals(0xfedc_ba98L, high.retvalUnsigned());
    }

    @Test
    void aProgramUpdatesAMapThatUserSpaceThenReads() throws Exception {
        long[] program = Assembler.assemble("""
                stw [%r10-4], 7
                stdw [%r10-16], 99
                lddw %r1, 0
                mov %r2, %r10
                add %r2, -4
                mov %r3, %r10
                add %r3, -16
                mov %r4, 0
                call 2
                exit
                """);
        program = KernelVerifierTest.withMapRef(program, 2);
        try (KernelProgram p = KernelProgram.load(ProgramType.SYSCALL, program,
                List.of(new MapSpec("obpf_out", MapType.HASH, 4, 8, 4, 0)))) {
            assertEquals(0, p.testRun(TestRunAttr.context(new byte[0])).retval(), "bpf_map_update_elem returned 0");
            KernelMap m = p.maps().get(0);
            assertArrayEquals(KernelMapTest.u64(99), m.lookup(KernelMapTest.u32(7)).orElseThrow());
            assertEquals(1, m.keys().size());
        }
    }

    @Test
    void runTimeStatisticsCountTestRunsWhileEnabled() throws Exception {
        try (KernelProgram p = KernelProgram.load(ProgramType.XDP, Assembler.assemble(XDP_MARK), List.of())) {
            int stats = KernelBpf.enableRunTimeStats();
            try {
                p.testRun(TestRunAttr.packet(packet(60)).withRepeat(100));
            } finally {
                KernelBpf.close(stats);
            }
            ProgInfo info = p.info();
            assertEquals(100, info.runCnt());
            assertTrue(info.runTimeNs() > 0);
        }
    }
}
