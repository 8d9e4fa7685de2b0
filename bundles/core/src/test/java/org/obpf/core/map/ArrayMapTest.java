package org.obpf.core.map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.map.BpfMap;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;

class ArrayMapTest {
    static byte[] u32(int v) {
        return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    }

    static byte[] u64(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) b[i] = (byte) (v >>> (8 * i));
        return b;
    }

    static BpfException fails(Errno errno, org.junit.jupiter.api.function.Executable op) {
        BpfException e = assertThrows(BpfException.class, op);
        assertEquals(errno, e.errno(), e.getMessage());
        return e;
    }

    @Test
    void creationChecksSizesAsArrayMapAllocCheck() {
        assertEquals("map a: array needs key size 4, value size > 0 and max_entries > 0 (got key 8, value 8, max_entries 4)",
                fails(Errno.EINVAL, () -> Maps.create(new MapSpec("a", MapType.ARRAY, 8, 8, 4, 0))).getMessage());
        fails(Errno.EINVAL, () -> Maps.create(new MapSpec("a", MapType.ARRAY, 4, 0, 4, 0)));
        fails(Errno.EINVAL, () -> Maps.create(new MapSpec("a", MapType.ARRAY, 4, 8, 0, 0)));
        fails(Errno.E2BIG, () -> Maps.create(new MapSpec("a", MapType.PERCPU_ARRAY, 4, 40000, 1, 0)));
        fails(Errno.EOPNOTSUPP, () -> Maps.create(new MapSpec("a", MapType.CPUMAP, 4, 4, 1, 0)));
    }

    @Test
    void elementsExistZeroedAndCannotBeDeleted() throws BpfException {
        BpfMap m = Maps.create(new MapSpec("counters", MapType.ARRAY, 4, 12, 3, 0));
        assertArrayEquals(new byte[12], m.lookup(u32(2)));
        byte[] v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        m.update(u32(2), v, BpfMap.BPF_ANY);
        assertArrayEquals(v, m.lookup(u32(2)));
        m.update(u32(2), new byte[12], BpfMap.BPF_EXIST);
        assertArrayEquals(new byte[12], m.lookup(u32(2)));
        assertEquals("map counters: index 2: array elements always exist (BPF_NOEXIST)",
                fails(Errno.EEXIST, () -> m.update(u32(2), v, BpfMap.BPF_NOEXIST)).getMessage());
        assertEquals("map counters: index 3 is outside 0..2", fails(Errno.E2BIG, () -> m.update(u32(3), v, BpfMap.BPF_ANY)).getMessage());
        assertEquals("map counters: index 3 is outside 0..2", fails(Errno.ENOENT, () -> m.lookup(u32(3))).getMessage());
        assertEquals("map counters: array elements cannot be deleted", fails(Errno.EINVAL, () -> m.delete(u32(0))).getMessage());
        assertEquals("map counters: key size 8, expected 4", fails(Errno.EINVAL, () -> m.lookup(new byte[8])).getMessage());
        assertEquals("map counters: value size 4, expected 12", fails(Errno.EINVAL, () -> m.update(u32(0), new byte[4], 0)).getMessage());
        assertEquals("map counters: BPF_F_LOCK needs a bpf_spin_lock in the value, which OBPF maps do not have",
                fails(Errno.EINVAL, () -> m.update(u32(0), v, BpfMap.BPF_F_LOCK)).getMessage());
        fails(Errno.EINVAL, () -> m.update(u32(0), v, 3));
    }

    @Test
    void nextKeyGoesByIndexAndRestartsOnAMissingKey() throws BpfException {
        BpfMap m = Maps.create(new MapSpec("a", MapType.ARRAY, 4, 4, 3, 0));
        assertArrayEquals(u32(0), m.nextKey(null));
        assertArrayEquals(u32(1), m.nextKey(u32(0)));
        assertArrayEquals(u32(2), m.nextKey(u32(1)));
        assertEquals("map a: no key after the last index", fails(Errno.ENOENT, () -> m.nextKey(u32(2))).getMessage());
        assertArrayEquals(u32(0), m.nextKey(u32(77)));
    }

    @Test
    void valuesHaveStableAddressesAfterTheHeader() throws BpfException {
        ArrayMap m = (ArrayMap) Maps.create(new MapSpec("a", MapType.ARRAY, 4, 12, 3, 0));
        assertEquals(16, m.elemSize());
        assertEquals(m.address() + ArrayMap.VALUE_OFFSET, m.values().address());
        try (Arena a = Arena.ofConfined()) {
            MemorySegment key = a.allocate(4);
            key.set(ValueLayout.JAVA_INT, 0, 2);
            assertEquals(m.address() + 64 + 32, m.lookupElem(key));
            key.set(ValueLayout.JAVA_INT, 0, 3);
            assertEquals(0, m.lookupElem(key));
            key.set(ValueLayout.JAVA_INT, 0, -1);
            assertEquals(0, m.lookupElem(key));
        }
        assertEquals(m, AbstractBpfMap.byAddress(m.address()));
        assertEquals(m, AbstractBpfMap.byValueAddress(m.values().address() + 40));
        m.release();
        assertEquals(null, AbstractBpfMap.byAddress(m.address()));
        fails(Errno.EBADF, () -> m.lookup(u32(0)));
    }

    @Test
    void perCpuValuesAreRoundedTo8AndConcatenated() throws BpfException {
        BpfMap m = Maps.create(new MapSpec("pc", MapType.PERCPU_ARRAY, 4, 4, 2, 0), 3);
        assertEquals(3, m.possibleCpus());
        assertEquals(24, m.hostValueSize());
        byte[] v = new byte[24];
        v[0] = 1;
        v[8] = 2;
        v[16] = 3;
        v[4] = 9; // padding is not stored
        m.update(u32(1), v, BpfMap.BPF_ANY);
        byte[] expected = v.clone();
        expected[4] = 0;
        assertArrayEquals(expected, m.lookup(u32(1)));
        fails(Errno.EINVAL, () -> m.update(u32(1), new byte[4], 0));
    }
}
