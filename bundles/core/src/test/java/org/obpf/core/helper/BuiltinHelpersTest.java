package org.obpf.core.helper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.helper.Helper;
import org.obpf.api.helper.HelperContext;
import org.obpf.api.helper.HelperException;

class BuiltinHelpersTest {
    private static final HelperContext NO_MEMORY = new HelperContext() {
        @Override public MemorySegment memory(long address, long length, boolean write) { throw new HelperException("no memory"); }
        @Override public void grant(MemorySegment region, boolean writable) { throw new HelperException("no grants"); }
        @Override public int processorId() { return 3; }
    };

    private static long call(int id) throws BpfException {
        return HelperTable.builtins().require(id).call(NO_MEMORY, 0, 0, 0, 0, 0);
    }

    @Test
    void builtinsHaveTheKernelNumbersAndNames() {
        HelperTable t = HelperTable.builtins();
        assertEquals(List.of(1, 2, 3, 5, 6, 7, 8, 12, 25, 87, 88, 89, 112, 113, 125, 130, 131, 132, 133, 134, 164, 165, 181, 182),
                List.copyOf(t.ids()));
        assertEquals(List.of(1, 2, 3, 5, 6, 7, 8, 12, 23, 25, 28, 44, 51, 54, 65, 87, 88, 89, 112, 113, 125, 130, 131, 132, 133,
                134, 164, 165, 181, 182), List.copyOf(HelperTable.builtins(org.obpf.api.prog.ProgramType.XDP).ids()));
        assertEquals(List.of(1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 23, 25, 26, 28, 34, 87, 88, 89, 112, 113, 125, 130, 131, 132,
                133, 134, 164, 165, 181, 182), List.copyOf(HelperTable.builtins(org.obpf.api.prog.ProgramType.SCHED_CLS).ids()));
        for (int id : t.ids()) {
            Helper h = t.lookup(id).orElseThrow();
            assertEquals(id, h.id());
            assertEquals(HelperNames.name(id).orElseThrow(), h.name());
        }
        assertEquals("ktime_get_boot_ns", HelperNames.name(125).orElseThrow());
        assertEquals("bpf_tail_call (12)", HelperNames.describe(12));
        assertEquals("#212", HelperNames.describe(212));
    }

    @Test
    void ktimeGetNsIsClockMonotonicAsTheJvmReadsIt() throws BpfException {
        // HotSpot's System.nanoTime() on Linux is clock_gettime(CLOCK_MONOTONIC) itself.
        long before = System.nanoTime();
        long t = call(5);
        long after = System.nanoTime();
        assertTrue(before <= t && t <= after, before + " <= " + t + " <= " + after);
    }

    @Test
    void bootTimeIsNeverBehindMonotonicTime() throws BpfException {
        long mono = call(5);
        long boot = call(125);
        assertTrue(boot >= mono, boot + " >= " + mono);
    }

    @Test
    void prandomIsA32BitValue() throws BpfException {
        Set<Long> values = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            long v = call(7);
            assertEquals(0, v >>> 32);
            values.add(v);
        }
        assertTrue(values.size() > 990, "values repeat too often: " + values.size());
    }

    @Test
    void processorIdComesFromTheContext() throws BpfException {
        assertEquals(3, call(8));
        assertTrue(Platform.currentCpu().orElseThrow() >= 0);
    }

    @Test
    void tailCallCannotBeCalledAsAFunction() {
        HelperException e = assertThrows(HelperException.class, () -> call(12));
        assertEquals("bpf_tail_call must be run by the execution engine, not called as a function", e.getMessage());
    }

    @Test
    void unknownHelperIsAnErrorNamingIt() {
        HelperTable clocks = HelperTable.empty().withAll(List.of(new BuiltinHelpers.KtimeGetNs(), new BuiltinHelpers.KtimeGetBootNs()));
        BpfException e = assertThrows(BpfException.class, () -> clocks.require(1));
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals("call to helper bpf_map_lookup_elem (1): no such helper is available (available: "
                + "bpf_ktime_get_ns (5), bpf_ktime_get_boot_ns (125))", e.getMessage());
        assertEquals("call to helper #4000: no such helper is available (available: none)",
                assertThrows(BpfException.class, () -> HelperTable.empty().require(4000)).getMessage());
    }

    @Test
    void aContributedHelperReplacesOneWithTheSameNumber() throws BpfException {
        Helper fixedClock = new Helper() {
            @Override public int id() { return 5; }
            @Override public String name() { return "ktime_get_ns"; }
            @Override public long call(HelperContext c, long r1, long r2, long r3, long r4, long r5) { return 42; }
        };
        HelperTable t = HelperTable.builtins().with(fixedClock);
        assertEquals(42, t.require(5).call(NO_MEMORY, 0, 0, 0, 0, 0));
        assertEquals(HelperTable.builtins().ids().size(), t.ids().size());
    }

    @Test
    void contributedHelpersFillGapsButNeverReplaceBuiltins() throws BpfException {
        Helper fakeLookup = new Helper() {
            @Override public int id() { return 1; }
            @Override public String name() { return "map_lookup_elem"; }
            @Override public long call(HelperContext c, long r1, long r2, long r3, long r4, long r5) { return 7; }
        };
        Helper comm = new Helper() {
            @Override public int id() { return 16; }
            @Override public String name() { return "get_current_comm"; }
            @Override public long call(HelperContext c, long r1, long r2, long r3, long r4, long r5) { return 16; }
        };
        HelperTable t = HelperTable.builtins().compose(List.of(fakeLookup, comm));
        assertTrue(t.require(1) != fakeLookup);
        assertEquals(16, t.require(16).call(NO_MEMORY, 0, 0, 0, 0, 0));
        assertEquals(HelperTable.builtins().ids().size() + 1, t.ids().size());
    }
}
