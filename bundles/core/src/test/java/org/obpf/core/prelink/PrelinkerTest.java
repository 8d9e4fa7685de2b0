package org.obpf.core.prelink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.obpf.api.insn.Opcodes.*;
import static org.obpf.core.testing.Bpf.asm;
import static org.obpf.core.testing.Bpf.func;
import static org.obpf.core.testing.Bpf.map;
import static org.obpf.core.testing.Bpf.value;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.insn.Insn;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;
import org.obpf.api.prog.ProgramType;
import org.obpf.core.helper.HelperTable;
import org.obpf.core.map.ArrayMap;
import org.obpf.core.map.MapTable;
import org.obpf.core.testing.Bpf;

class PrelinkerTest {
    private final MapTable maps = new MapTable(2);

    private Prelinked prelink(String text, ProgramType type) throws BpfException {
        return Bpf.prelink(text, type, maps);
    }

    private BpfException refused(String text, ProgramType type) {
        return assertThrows(BpfException.class, () -> prelink(text, type));
    }

    private static long[] lddw(int dst, long value) {
        return new long[] {Insn.encode(BPF_LD | BPF_IMM | BPF_DW, dst, 0, 0, (int) value), Insn.encode(0, 0, 0, 0, (int) (value >>> 32))};
    }

    private static long[] concat(Object... parts) {
        return java.util.Arrays.stream(parts).flatMapToLong(p -> p instanceof long[] a ? java.util.Arrays.stream(a)
                : java.util.stream.LongStream.of((Long) p)).toArray();
    }

    @Test
    void mapFdsAndValuesBecomeAddresses() throws BpfException {
        int counters = maps.create(new MapSpec("counters", MapType.HASH, 4, 8, 16, 0));
        int config = maps.create(new MapSpec(".rodata", MapType.ARRAY, 4, 32, 1, 0));
        long[] out = Prelinker.replaceMapFdWithMapPtr(asm("lddw %r1, " + map(counters) + "\nlddw %r2, " + value(config, 12)
                + "\nmov %r0, 0\nexit"), maps::get).insns();
        assertArrayEquals(concat(lddw(1, maps.get(counters).address()), lddw(2, ((ArrayMap) maps.get(config)).values().address() + 12),
                Insn.encode(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0), Insn.encode(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)), out);
    }

    @Test
    void badMapReferencesAreRefusedInTheKernelsWords() throws BpfException {
        assertEquals("insn 0: fd 42 is not pointing to valid bpf_map", refused("lddw %r1, " + map(42) + "\nexit", ProgramType.FLAT).getMessage());
        int hash = maps.create(new MapSpec("h", MapType.HASH, 4, 8, 16, 0));
        int big = maps.create(new MapSpec("big", MapType.ARRAY, 4, 8, 4, 0));
        int one = maps.create(new MapSpec("one", MapType.ARRAY, 4, 8, 1, 0));
        assertEquals("insn 0: no direct value access support for this map type",
                refused("lddw %r1, " + value(hash, 0) + "\nexit", ProgramType.FLAT).getMessage());
        assertEquals(Errno.ENOTSUPP, refused("lddw %r1, " + value(big, 0) + "\nexit", ProgramType.FLAT).errno());
        assertEquals("insn 0: invalid access to map value pointer, value_size=8 off=8",
                refused("lddw %r1, " + value(one, 8) + "\nexit", ProgramType.FLAT).getMessage());
        assertEquals("insn 0: fd_idx without fd_array is invalid", assertThrows(BpfException.class, () -> Prelinker.prelink(
                new long[] {Insn.encode(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_MAP_IDX, 0, 0), 0, Insn.encode(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)},
                ProgramType.FLAT, maps::get, HelperTable.builtins(), Prelinker.Options.DEFAULT)).getMessage());
    }

    @Test
    void arrayLookupsAreInlinedAsArrayMapGenLookupAndJumpsMoved() throws BpfException {
        int fd = maps.create(new MapSpec("a", MapType.ARRAY, 4, 12, 5, 0)); // elem_size 16: a shift
        ArrayMap a = (ArrayMap) maps.get(fd);
        Prelinked p = prelink("""
                stw [%r10-4], 2
                ja +0
                mov %r2, %r10
                add %r2, -4
                lddw %r1, MAP
                call 1
                jeq %r0, 0, +1
                ldxdw %r0, [%r0]
                exit
                """.replace("MAP", map(fd)), ProgramType.FLAT);
        long[] expected = concat(
                Insn.encode(BPF_ST | BPF_MEM | BPF_W, 10, 0, -4, 2),
                Insn.encode(BPF_JMP | BPF_JA, 0, 0, 0, 0),
                Insn.encode(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0),
                Insn.encode(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -4),
                lddw(1, a.address()),
                // array_map_gen_lookup
                Insn.encode(BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, ArrayMap.VALUE_OFFSET),
                Insn.encode(BPF_LDX | BPF_MEM | BPF_W, 0, 2, 0, 0),
                Insn.encode(BPF_JMP | BPF_JGE | BPF_K, 0, 0, 3, 5),
                Insn.encode(BPF_ALU64 | BPF_LSH | BPF_K, 0, 0, 0, 4),
                Insn.encode(BPF_ALU64 | BPF_ADD | BPF_X, 0, 1, 0, 0),
                Insn.encode(BPF_JMP | BPF_JA, 0, 0, 1, 0),
                Insn.encode(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),
                Insn.encode(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1, 0),
                Insn.encode(BPF_LDX | BPF_MEM | BPF_DW, 0, 0, 0, 0),
                Insn.encode(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
        assertArrayEquals(expected, p.insns());
        assertEquals(List.of(), p.helpers());
        assertEquals(List.of(a), p.directMaps());
        assertEquals(List.of("original", "replace_map_fd_with_map_ptr", "convert_ctx_accesses", "fixup_bpf_call", "resolve_subprogs"),
                p.stages().stream().map(Prelinked.Stage::name).toList());
        // value size 12 rounds to 16; 24 would not be a power of two: a multiply
        ArrayMap b = (ArrayMap) maps.get(maps.create(new MapSpec("b", MapType.ARRAY, 4, 20, 3, 0)));
        assertEquals(Insn.encode(BPF_ALU64 | BPF_MUL | BPF_K, 0, 0, 0, 24), Prelinker.arrayMapGenLookup(b)[3]);
        // without inlining (the kernel without jit_requested): a call of helper slot 0
        Prelinked plain = Prelinker.prelink(Bpf.asm("mov %r2, %r10\nadd %r2, -4\nstw [%r10-4], 0\nlddw %r1, " + map(fd)
                + "\ncall 1\nexit"), ProgramType.FLAT, maps::get, HelperTable.builtins(), new Prelinker.Options(false));
        assertEquals(Insn.encode(BPF_JMP | BPF_CALL, 0, 0, 0, 0), plain.insns()[5]);
        assertEquals("map_lookup_elem", plain.helpers().get(0).name());
    }

    @Test
    void perCpuAndHashLookupsStayHelperCalls() throws BpfException {
        int pc = maps.create(new MapSpec("pc", MapType.PERCPU_ARRAY, 4, 8, 4, 0));
        int h = maps.create(new MapSpec("h", MapType.HASH, 4, 8, 4, 0));
        Prelinked p = prelink("mov %r2, %r10\nadd %r2, -4\nstw [%r10-4], 0\nlddw %r1, " + map(pc) + "\ncall 1\nlddw %r1, " + map(h)
                + "\ncall 1\ncall 5\nexit", ProgramType.FLAT);
        long[] out = p.insns();
        assertEquals(Insn.encode(BPF_JMP | BPF_CALL, 0, 0, 0, 0), out[5]);
        assertEquals(Insn.encode(BPF_JMP | BPF_CALL, 0, 0, 0, 0), out[8]);
        assertEquals(Insn.encode(BPF_JMP | BPF_CALL, 0, 0, 0, 1), out[9]);
        assertEquals(List.of("map_lookup_elem", "ktime_get_ns"), p.helpers().stream().map(x -> x.name()).toList());
    }

    @Test
    void aHelperNobodyProvidesIsRefusedWithItsIdAndName() {
        BpfException e = refused("mov %r0, 0\ncall 4\nexit", ProgramType.XDP);
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().startsWith("insn 1: call to helper bpf_probe_read (4): no such helper is available (available: "
                + "bpf_map_lookup_elem (1), "), e.getMessage());
        // skb_load_bytes exists for tc, not for XDP
        assertTrue(refused("call 26\nexit", ProgramType.XDP).getMessage()
                .startsWith("insn 0: call to helper bpf_skb_load_bytes (26): no such helper is available"));
    }

    @Test
    void xdpContextLoadsBecomeXdpBuffLoads() throws BpfException {
        long[] out = prelink("""
                ldxw %r2, [%r1+0]
                ldxw %r3, [%r1+4]
                mov %r6, %r1
                stxdw [%r10-8], %r6
                ldxdw %r7, [%r10-8]
                ldxw %r4, [%r7+8]
                ldxw %r5, [%r6+12]
                ldxw %r0, [%r6+16]
                ldxw %r0, [%r6+20]
                exit
                """, ProgramType.XDP).stage("convert_ctx_accesses");
        assertArrayEquals(new long[] {
                Insn.encode(BPF_LDX | BPF_MEM | BPF_DW, 2, 1, KernelCtx.XdpBuff.DATA, 0),
                Insn.encode(BPF_LDX | BPF_MEM | BPF_DW, 3, 1, KernelCtx.XdpBuff.DATA_END, 0),
                Insn.encode(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0),
                Insn.encode(BPF_STX | BPF_MEM | BPF_DW, 10, 6, -8, 0),
                Insn.encode(BPF_LDX | BPF_MEM | BPF_DW, 7, 10, -8, 0),
                Insn.encode(BPF_LDX | BPF_MEM | BPF_DW, 4, 7, KernelCtx.XdpBuff.DATA_META, 0),
                Insn.encode(BPF_LDX | BPF_MEM | BPF_W, 5, 6, KernelCtx.XdpBuff.INGRESS_IFINDEX, 0),
                Insn.encode(BPF_LDX | BPF_MEM | BPF_W, 0, 6, KernelCtx.XdpBuff.RX_QUEUE_INDEX, 0),
                Insn.encode(BPF_LDX | BPF_MEM | BPF_W, 0, 6, KernelCtx.XdpBuff.EGRESS_IFINDEX, 0),
                Insn.encode(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)}, out);
    }

    @Test
    void theContextPassedToASubprogramIsConvertedThere() throws BpfException {
        long[] out = prelink("""
                mov %r6, %r1
                call local f
                ldxw %r0, [%r6+16]
                exit
                f:
                ldxw %r0, [%r1+4]
                mov %r1, 0
                ldxw %r0, [%r10-4]
                exit
                """, ProgramType.XDP).insns();
        assertEquals(Insn.encode(BPF_LDX | BPF_MEM | BPF_W, 0, 6, KernelCtx.XdpBuff.RX_QUEUE_INDEX, 0), out[2]);
        assertEquals(Insn.encode(BPF_LDX | BPF_MEM | BPF_DW, 0, 1, KernelCtx.XdpBuff.DATA_END, 0), out[4]);
        assertEquals(Insn.encode(BPF_LDX | BPF_MEM | BPF_W, 0, 10, -4, 0), out[6], "stack loads stay as they are");
    }

    @Test
    void invalidContextAccessesAreRefused() {
        assertEquals("insn 0: invalid bpf_context access off=0 size=2", refused("ldxh %r2, [%r1+0]\nexit", ProgramType.XDP).getMessage());
        assertEquals(Errno.EACCES, refused("ldxh %r2, [%r1+0]\nexit", ProgramType.XDP).errno());
        assertEquals("insn 0: invalid bpf_context access off=24 size=4", refused("ldxw %r2, [%r1+24]\nexit", ProgramType.XDP).getMessage());
        assertEquals("insn 0: invalid bpf_context access off=0 size=4", refused("stw [%r1+0], 1\nexit", ProgramType.XDP).getMessage());
        assertEquals("insn 1: dereference of modified ctx ptr R1 off=0 disallowed",
                refused("add %r1, 4\nldxw %r2, [%r1+0]\nexit", ProgramType.XDP).getMessage());
        assertEquals("insn 4: same insn cannot be used with different pointers",
                refused("mov %r2, %r10\njeq %r3, 0, +1\nmov %r2, %r1\nmov %r0, 0\nldxw %r0, [%r2-4]\nexit", ProgramType.XDP).getMessage());
        assertEquals("insn 0: BPF_ATOMIC stores into R1 ctx is not allowed",
                refused("lock add32 [%r1+0], %r2\nexit", ProgramType.XDP).getMessage());
    }

    @Test
    void skbContextFollowsTcAndSocketFilterRules() throws BpfException {
        long[] out = prelink("""
                ldxw %r2, [%r1+76]
                ldxw %r3, [%r1+80]
                ldxw %r4, [%r1+0]
                ldxb %r4, [%r1+16]
                stw [%r1+8], 7
                stxw [%r1+48], %r4
                ldxdw %r5, [%r1+152]
                exit
                """, ProgramType.SCHED_CLS).insns();
        assertEquals(Insn.encode(BPF_LDX | BPF_MEM | BPF_DW, 2, 1, KernelCtx.SkBuffK.DATA, 0), out[0]);
        assertEquals(Insn.encode(BPF_LDX | BPF_MEM | BPF_DW, 3, 1, KernelCtx.SkBuffK.DATA_END, 0), out[1]);
        assertEquals(Insn.encode(BPF_LDX | BPF_MEM | BPF_W, 4, 1, 0, 0), out[2]); // len at its UAPI offset
        assertEquals(Insn.encode(BPF_LDX | BPF_MEM | BPF_B, 4, 1, 16, 0), out[3]); // narrow load of protocol
        assertEquals("insn 0: invalid bpf_context access off=76 size=4", refused("ldxw %r2, [%r1+76]\nexit", ProgramType.SOCKET_FILTER).getMessage());
        assertEquals("insn 0: invalid bpf_context access off=8 size=4", refused("stw [%r1+8], 7\nexit", ProgramType.SOCKET_FILTER).getMessage());
        assertEquals("insn 0: invalid bpf_context access off=0 size=4", refused("stw [%r1+0], 7\nexit", ProgramType.SCHED_CLS).getMessage());
        assertEquals("insn 0: invalid bpf_context access off=72 size=4", refused("ldxw %r2, [%r1+72]\nexit", ProgramType.SOCKET_FILTER).getMessage());
        assertEquals("insn 0: invalid bpf_context access off=168 size=8", refused("ldxdw %r2, [%r1+168]\nexit", ProgramType.SCHED_CLS).getMessage());
        assertEquals("insn 0: invalid bpf_context access off=152 size=4", refused("ldxw %r2, [%r1+152]\nexit", ProgramType.SCHED_CLS).getMessage());
        // socket filters may write cb[]
        prelink("stw [%r1+64], 1\nmov %r0, 0\nexit", ProgramType.SOCKET_FILTER);
    }

    @Test
    void jumpsAcrossAnInlinedLookupAndSubprogramCallsAreMoved() throws BpfException {
        int fd = maps.create(new MapSpec("a", MapType.ARRAY, 4, 8, 2, 0));
        // main: call sub (slot 7); r0 = lookup; exit. A callback reference to slot 11.
        Prelinked p = prelink("""
                call local sub
                lddw %r2, FUNC
                mov %r2, %r10
                add %r2, -4
                lddw %r1, MAP
                call 1
                exit
                sub:
                stw [%r10-4], 0
                mov %r2, %r10
                add %r2, -4
                exit
                cb:
                mov %r0, 0
                exit
                """.replace("MAP", map(fd)).replace("FUNC", func(13)), ProgramType.FLAT);
        long[] out = p.insns();
        // the lookup at 7 grew by 6 slots: sub moves from 9 to 15, cb from 13 to 19
        assertEquals(15, 0 + 1 + Insn.imm(out[0]));
        assertEquals(BPF_PSEUDO_FUNC, Insn.src(out[1]));
        assertEquals(19, 1 + 1 + Insn.imm(out[1]));
        assertArrayEquals(new int[] {0, 15, 19}, p.subprogs());
    }
}
