package org.obpf.core.helper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.obpf.core.testing.Bpf.func;
import static org.obpf.core.testing.Bpf.map;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.map.BpfMap;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;
import org.obpf.api.prog.ProgramType;
import org.obpf.core.interp.ExecutionException;
import org.obpf.core.interp.Interpreter;
import org.obpf.core.interp.Program;
import org.obpf.core.map.MapTable;
import org.obpf.core.map.RingBufMap;
import org.obpf.core.prelink.Prelinked;
import org.obpf.core.testing.Bpf;

/** Map helpers as programs call them: prelinked, run on the interpreter. */
class MapHelpersTest {
    private final List<Program> programs = new ArrayList<>();
    private final MapTable maps = new MapTable(2).programs(fd -> fd >= 100 && fd - 100 < programs.size() ? programs.get(fd - 100) : null);
    private final Interpreter vm = new Interpreter();

    private Program load(String text) throws BpfException {
        Prelinked p = Bpf.prelink(text, ProgramType.FLAT, maps);
        return p.toInterpreter();
    }

    private long run(String text) throws BpfException {
        return vm.run(load(text), (MemorySegment) null);
    }

    static byte[] u32(int v) {
        return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    }

    static byte[] u64(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) b[i] = (byte) (v >>> (8 * i));
        return b;
    }

    @Test
    void aMapInMapLookupGivesTheInnerMapAsAHelperArgument() throws BpfException {
        int template = maps.create(new MapSpec("t", MapType.ARRAY, 4, 8, 2, 0));
        int outer = maps.create(new MapSpec("o", MapType.HASH_OF_MAPS, 4, 4, 2, 0), template);
        int a = maps.create(new MapSpec("a", MapType.ARRAY, 4, 8, 2, 0));
        int b = maps.create(new MapSpec("b", MapType.ARRAY, 4, 8, 2, 0));
        // inner = outer[7]; if none, -1; else ++inner[1]
        String prog = """
                stw [%r10-4], 7
                mov %r2, %r10
                add %r2, -4
                lddw %r1, MAP
                call 1
                jeq %r0, 0, +11
                stw [%r10-8], 1
                mov %r2, %r10
                add %r2, -8
                mov %r1, %r0
                call 1
                jeq %r0, 0, +4
                ldxdw %r1, [%r0]
                add %r1, 1
                stxdw [%r0], %r1
                mov %r0, %r1
                exit
                mov %r0, -1
                exit
                """.replace("MAP", map(outer));
        Program p = load(prog);
        assertEquals(-1, vm.run(p, (MemorySegment) null));
        maps.get(outer).update(u32(7), u32(a), BpfMap.BPF_ANY);
        assertEquals(1, vm.run(p, (MemorySegment) null));
        assertEquals(2, vm.run(p, (MemorySegment) null));
        var mapA = maps.get(a);
        maps.close(a);
        maps.get(outer).update(u32(7), u32(b), BpfMap.BPF_ANY); // drops the slot's reference on a
        assertTrue(mapA.isFreed());
        assertEquals(1, vm.run(p, (MemorySegment) null));
        assertArrayEquals(u64(1), maps.get(b).lookup(u32(1)));
    }

    /** key 7 at r10-4, value at r10-16. */
    private static final String KEY_AND_VALUE = """
            stw [%r10-4], 7
            stdw [%r10-16], 42
            """;

    @Test
    void hashUpdateLookupWriteThroughAndDelete() throws BpfException {
        int fd = maps.create(new MapSpec("h", MapType.HASH, 4, 8, 4, 0));
        String prog = KEY_AND_VALUE + """
                mov %r2, %r10
                add %r2, -4
                mov %r3, %r10
                add %r3, -16
                mov %r4, 0
                lddw %r1, MAP
                call 2
                jne %r0, 0, +12
                mov %r2, %r10
                add %r2, -4
                lddw %r1, MAP
                call 1
                jeq %r0, 0, +5
                ldxdw %r1, [%r0]
                add %r1, 1
                stxdw [%r0], %r1
                mov %r0, %r1
                exit
                mov %r0, -1
                exit
                """;
        assertEquals(43, run(prog.replace("MAP", map(fd))));
        assertArrayEquals(u64(43), maps.get(fd).lookup(u32(7)));
        // again with BPF_NOEXIST: r0 = -EEXIST
        String noexist = KEY_AND_VALUE + """
                mov %r2, %r10
                add %r2, -4
                mov %r3, %r10
                add %r3, -16
                mov %r4, 1
                lddw %r1, MAP
                call 2
                exit
                """;
        assertEquals(-Errno.EEXIST.value(), run(noexist.replace("MAP", map(fd))));
        String delete = "stw [%r10-4], 7\nmov %r2, %r10\nadd %r2, -4\nlddw %r1, MAP\ncall 3\nexit\n";
        assertEquals(0, run(delete.replace("MAP", map(fd))));
        assertEquals(-Errno.ENOENT.value(), run(delete.replace("MAP", map(fd))));
    }

    @Test
    void inlinedArrayLookupReadsAndWritesTheValue() throws BpfException {
        int fd = maps.create(new MapSpec("a", MapType.ARRAY, 4, 8, 4, 0));
        maps.get(fd).update(u32(2), u64(100), 0);
        String prog = """
                stw [%r10-4], IDX
                mov %r2, %r10
                add %r2, -4
                lddw %r1, MAP
                call 1
                jeq %r0, 0, +4
                ldxdw %r1, [%r0]
                add %r1, 5
                stxdw [%r0], %r1
                mov %r0, %r1
                exit
                """.replace("MAP", map(fd));
        assertEquals(105, run(prog.replace("IDX", "2")));
        assertArrayEquals(u64(105), maps.get(fd).lookup(u32(2)));
        assertEquals(0, run(prog.replace("IDX", "4")), "index out of range: NULL");
    }

    @Test
    void aProgramCannotReachOutsideTheMapsMemory() throws BpfException {
        int fd = maps.create(new MapSpec("h", MapType.HASH, 4, 8, 64, 0));
        maps.get(fd).update(u32(7), u64(1), 0);
        // reading 8 bytes past a value lands in the next element of the chunk at most: never outside the map
        String prog = "stw [%r10-4], 7\nmov %r2, %r10\nadd %r2, -4\nlddw %r1, MAP\ncall 1\nldxdw %r0, [%r0-100000]\nexit\n";
        ExecutionException e = assertThrows(ExecutionException.class, () -> run(prog.replace("MAP", map(fd))));
        assertEquals(Errno.EFAULT, e.errno());
    }

    @Test
    void aRunHoldsTheMapsItTouchesOnlyWhileItRuns() throws BpfException {
        int fd = maps.create(new MapSpec("h", MapType.HASH, 4, 8, 4, 0));
        org.obpf.core.map.AbstractBpfMap m = maps.get(fd);
        m.update(u32(7), u64(5), 0);
        // a raw program naming the map by address (no prelink, so no reference of its own)
        long[] p = Bpf.asm("stw [%r10-4], 7\nmov %r2, %r10\nadd %r2, -4\nlddw %r1, " + m.address() + "\ncall 1\nldxdw %r0, [%r0]\nexit");
        assertEquals(5, vm.run(Program.load(p, org.obpf.core.helper.HelperTable.builtins()), (MemorySegment) null));
        maps.close(fd);
        assertTrue(m.isFreed(), "the run gave its reference back");
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> vm.run(Program.load(p, org.obpf.core.helper.HelperTable.builtins()), (MemorySegment) null));
        assertTrue(e.getMessage().contains("is not a map"), e.getMessage());
    }

    @Test
    void queuePushPopPeekFromPrograms() throws BpfException {
        int fd = maps.create(new MapSpec("q", MapType.QUEUE, 0, 8, 2, 0));
        String push = "stdw [%r10-8], V\nmov %r2, %r10\nadd %r2, -8\nmov %r3, 0\nlddw %r1, MAP\ncall 87\nexit\n".replace("MAP", map(fd));
        assertEquals(0, run(push.replace("V", "11")));
        assertEquals(0, run(push.replace("V", "22")));
        assertEquals(-Errno.E2BIG.value(), run(push.replace("V", "33")));
        String take = "mov %r2, %r10\nadd %r2, -8\nlddw %r1, MAP\ncall HELPER\njne %r0, 0, +1\nldxdw %r0, [%r10-8]\nexit\n".replace("MAP", map(fd));
        assertEquals(11, run(take.replace("HELPER", "89")));
        assertEquals(11, run(take.replace("HELPER", "88")));
        assertEquals(22, run(take.replace("HELPER", "88")));
        assertEquals(-Errno.ENOENT.value(), run(take.replace("HELPER", "88")));
    }

    @Test
    void tailCallsGoThroughARealProgArray() throws BpfException {
        int fd = maps.create(new MapSpec("jmp", MapType.PROG_ARRAY, 4, 4, 4, 0));
        programs.add(load("mov %r0, 77\nexit"));
        maps.get(fd).update(u32(1), u32(100), BpfMap.BPF_ANY);
        String caller = "lddw %r2, MAP\nmov %r3, IDX\ncall 12\nmov %r0, 5\nexit\n".replace("MAP", map(fd));
        assertEquals(77, run(caller.replace("IDX", "1")));
        assertEquals(5, run(caller.replace("IDX", "0")), "empty slot: falls through");
        assertEquals(5, run(caller.replace("IDX", "9")), "out of range: falls through");
        maps.get(fd).delete(u32(1));
        assertEquals(5, run(caller.replace("IDX", "1")));
    }

    @Test
    void forEachMapElemCallsBackIntoBpf() throws BpfException {
        int fd = maps.create(new MapSpec("a", MapType.ARRAY, 4, 8, 4, 0));
        for (int i = 0; i < 4; i++) maps.get(fd).update(u32(i), u64(i + 1), 0);
        String prog = """
                lddw %r1, MAP
                lddw %r2, CB
                mov %r3, %r10
                add %r3, -8
                stdw [%r10-8], 0
                mov %r4, 0
                call 164
                ldxdw %r1, [%r10-8]
                lsh %r1, 8
                or %r0, %r1
                exit
                ldxdw %r5, [%r3]
                ldxdw %r6, [%r4]
                add %r6, %r5
                stxdw [%r4], %r6
                mov %r0, 0
                jlt %r6, STOP, +1
                mov %r0, 1
                exit
                """.replace("MAP", map(fd)).replace("CB", func(13));
        // sum 1+2+3+4 = 10 over 4 elements: (10 << 8) | 4
        assertEquals(10 << 8 | 4, run(prog.replace("STOP", "100")));
        // the callback stops once the sum reaches 3: after 2 elements
        assertEquals(3 << 8 | 2, run(prog.replace("STOP", "3")));
        int h = maps.create(new MapSpec("h", MapType.HASH, 4, 8, 4, 0));
        maps.get(h).update(u32(5), u64(50), 0);
        maps.get(h).update(u32(6), u64(60), 0);
        assertEquals(110 << 8 | 2, run(prog.replace(map(fd), map(h)).replace("STOP", "1000")));
    }

    @Test
    void bpfLoopCallsBackUntilNonZero() throws BpfException {
        String prog = """
                mov %r1, N
                lddw %r2, CB
                mov %r3, %r10
                add %r3, -8
                stdw [%r10-8], 0
                mov %r4, 0
                call 181
                ldxdw %r1, [%r10-8]
                lsh %r1, 8
                or %r0, %r1
                exit
                ldxdw %r3, [%r2]
                add %r3, %r1
                stxdw [%r2], %r3
                mov %r0, 0
                jne %r1, 3, +1
                mov %r0, 1
                exit
                """.replace("CB", func(12));
        assertEquals(3 << 8 | 3, run(prog.replace("N", "3")), "0+1+2, 3 iterations");
        assertEquals(0, run(prog.replace("N", "0")), "no iterations");
        assertEquals(6 << 8 | 4, run(prog.replace("N", "9")), "stops after index 3");
        assertEquals(-Errno.E2BIG.value(), run(prog.replace("N", "0x800001")), "more than BPF_MAX_LOOPS");
    }

    @Test
    void aForgedCallbackPointerIsRefused() throws BpfException {
        String prog = "mov %r1, 1\nlddw %r2, 0x0bf0000000000003\nmov %r3, 0\nmov %r4, 0\ncall 181\nexit\n";
        ExecutionException e = assertThrows(ExecutionException.class, () -> run(prog));
        assertTrue(e.getMessage().contains("is not a callback of the running program"), e.getMessage());
    }

    @Test
    void ringbufReserveSubmitFromAProgram() throws BpfException {
        int fd = maps.create(new MapSpec("events", MapType.RINGBUF, 0, 0, 4096, 0));
        String prog = """
                lddw %r1, MAP
                mov %r2, 8
                mov %r3, 0
                call 131
                jeq %r0, 0, +5
                stdw [%r0], 0x1234
                mov %r1, %r0
                mov %r2, 0
                call 132
                mov %r0, 1
                exit
                """.replace("MAP", map(fd));
        assertEquals(1, run(prog));
        assertEquals(1, run(prog.replace("call 132", "call 133")));
        RingBufMap rb = (RingBufMap) maps.get(fd);
        assertEquals(32, rb.availableData());
        List<Long> seen = new ArrayList<>();
        assertEquals(1, rb.consume(b -> seen.add(b.order(ByteOrder.LITTLE_ENDIAN).getLong())));
        assertEquals(List.of(0x1234L), seen);
        String output = "stdw [%r10-8], 99\nlddw %r1, MAP\nmov %r2, %r10\nadd %r2, -8\nmov %r3, 8\nmov %r4, 0\ncall 130\nexit\n".replace("MAP", map(fd));
        assertEquals(0, run(output));
        assertEquals(16, run("lddw %r1, MAP\nmov %r2, 0\ncall 134\nexit".replace("MAP", map(fd))));
    }
}
