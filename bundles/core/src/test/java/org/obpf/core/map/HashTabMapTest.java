package org.obpf.core.map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.obpf.core.map.ArrayMapTest.fails;
import static org.obpf.core.map.ArrayMapTest.u32;
import static org.obpf.core.map.ArrayMapTest.u64;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.map.BpfMap;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;

class HashTabMapTest {
    private static List<Integer> keys(BpfMap m) throws BpfException {
        List<Integer> out = new ArrayList<>();
        byte[] k = null;
        for (;;) {
            try {
                k = m.nextKey(k);
            } catch (BpfException e) {
                assertEquals(Errno.ENOENT, e.errno());
                return out;
            }
            out.add(k[0] & 0xff | (k[1] & 0xff) << 8 | (k[2] & 0xff) << 16 | (k[3] & 0xff) << 24);
        }
    }

    @Test
    void creationChecksSizes() {
        fails(Errno.EINVAL, () -> Maps.create(new MapSpec("h", MapType.HASH, 0, 8, 4, 0)));
        fails(Errno.EINVAL, () -> Maps.create(new MapSpec("h", MapType.HASH, 4, 0, 4, 0)));
        fails(Errno.EINVAL, () -> Maps.create(new MapSpec("h", MapType.HASH, 4, 8, 0, 0)));
        assertEquals("map h: key size 513 exceeds the BPF stack size 512",
                fails(Errno.E2BIG, () -> Maps.create(new MapSpec("h", MapType.HASH, 513, 8, 4, 0))).getMessage());
    }

    @Test
    void updateFlagsFollowTheKernel() throws BpfException {
        BpfMap m = Maps.create(new MapSpec("flows", MapType.HASH, 4, 8, 2, 0));
        assertEquals("map flows: no element with key 01 00 00 00", fails(Errno.ENOENT, () -> m.lookup(u32(1))).getMessage());
        assertEquals("map flows: no element with key 01 00 00 00 (BPF_EXIST)",
                fails(Errno.ENOENT, () -> m.update(u32(1), u64(10), BpfMap.BPF_EXIST)).getMessage());
        m.update(u32(1), u64(10), BpfMap.BPF_NOEXIST);
        assertArrayEquals(u64(10), m.lookup(u32(1)));
        assertEquals("map flows: key 01 00 00 00 exists (BPF_NOEXIST)",
                fails(Errno.EEXIST, () -> m.update(u32(1), u64(11), BpfMap.BPF_NOEXIST)).getMessage());
        m.update(u32(1), u64(11), BpfMap.BPF_EXIST);
        assertArrayEquals(u64(11), m.lookup(u32(1)));
        m.update(u32(2), u64(20), BpfMap.BPF_ANY);
        assertEquals("map flows: map is full (2 elements)", fails(Errno.E2BIG, () -> m.update(u32(3), u64(30), BpfMap.BPF_ANY)).getMessage());
        m.update(u32(2), u64(21), BpfMap.BPF_ANY); // replacing needs no room
        m.delete(u32(1));
        assertEquals("map flows: no element with key 01 00 00 00", fails(Errno.ENOENT, () -> m.delete(u32(1))).getMessage());
        m.update(u32(3), u64(30), BpfMap.BPF_ANY);
        assertArrayEquals(u64(30), m.lookupAndDelete(u32(3)));
        assertEquals(1, ((HashTabMap) m).size());
        fails(Errno.EINVAL, () -> m.update(u32(3), u64(30), BpfMap.BPF_F_LOCK));
        assertEquals("map flows: key size 2, expected 4", fails(Errno.EINVAL, () -> m.update(new byte[2], u64(1), 0)).getMessage());
    }

    @Test
    void iterationIsStableAndRestartsAtTheFirstKeyForAMissingOne() throws BpfException {
        BpfMap m = Maps.create(new MapSpec("h", MapType.HASH, 4, 4, 16, 0));
        for (int k : new int[] {5, 300, 1, 7}) m.update(u32(k), u32(k), BpfMap.BPF_ANY);
        List<Integer> all = keys(m);
        assertEquals(4, all.size());
        assertEquals(List.of(1, 5, 7, 300).stream().sorted().toList(), all.stream().sorted().toList());
        assertEquals(all, keys(m));
        assertArrayEquals(m.nextKey(null), m.nextKey(u32(12345)));
        // deleting the current key while iterating: the next call restarts, as the kernel's does
        m.delete(u32(all.get(1)));
        assertArrayEquals(m.nextKey(null), m.nextKey(u32(all.get(1))));
        assertEquals("map h: map is empty", fails(Errno.ENOENT, () -> Maps.create(new MapSpec("h", MapType.HASH, 4, 4, 1, 0)).nextKey(null)).getMessage());
    }

    @Test
    void deletedElementMemoryIsReusedNotFreed() throws BpfException {
        HashTabMap m = (HashTabMap) Maps.create(new MapSpec("h", MapType.HASH, 4, 8, 4, 0));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment key = a.allocate(4);
            key.set(ValueLayout.JAVA_INT, 0, 1);
            m.update(u32(1), u64(42), 0);
            long first = m.lookupElem(key);
            assertEquals(42, MemorySegment.NULL.reinterpret(Long.MAX_VALUE).get(ValueLayout.JAVA_LONG, first));
            m.update(u32(1), u64(43), 0); // replaced by a new element; the old one is recycled
            long second = m.lookupElem(key);
            assertNotEquals(first, second);
            assertEquals(m, AbstractBpfMap.byValueAddress(first));
            m.delete(u32(1));
            assertEquals(0, m.lookupElem(key));
            // freed elements queue up behind the never-used ones, so that memory a program may still
            // read is reused as late as possible
            for (int k = 9; k <= 11; k++) m.update(u32(k), u64(k), 0);
            key.set(ValueLayout.JAVA_INT, 0, 11);
            assertEquals(first, m.lookupElem(key));
            assertEquals(11, MemorySegment.NULL.reinterpret(Long.MAX_VALUE).get(ValueLayout.JAVA_LONG, first));
        }
    }

    @Test
    void lruEvictsTheLeastRecentlyUsedInsteadOfFailing() throws BpfException {
        HashTabMap m = (HashTabMap) Maps.create(new MapSpec("lru", MapType.LRU_HASH, 4, 4, 3, 0));
        for (int k = 1; k <= 3; k++) m.update(u32(k), u32(k), BpfMap.BPF_ANY);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment key = a.allocate(4);
            key.set(ValueLayout.JAVA_INT, 0, 1);
            m.lookupElem(key); // a program touches key 1: key 2 is now the oldest
        }
        m.update(u32(4), u32(4), BpfMap.BPF_ANY);
        assertEquals(3, m.size());
        fails(Errno.ENOENT, () -> m.lookup(u32(2)));
        assertArrayEquals(u32(1), m.lookup(u32(1)));
        m.update(u32(5), u32(5), BpfMap.BPF_NOEXIST);
        fails(Errno.ENOENT, () -> m.lookup(u32(3)));
    }

    @Test
    void perCpuHashExchangesEveryCpusValue() throws BpfException {
        BpfMap m = Maps.create(new MapSpec("pch", MapType.PERCPU_HASH, 4, 4, 4, 0), 2);
        assertEquals(16, m.hostValueSize());
        byte[] v = {1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0};
        m.update(u32(7), v, BpfMap.BPF_ANY);
        assertArrayEquals(v, m.lookup(u32(7)));
        byte[] w = {3, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0};
        m.update(u32(7), w, BpfMap.BPF_EXIST);
        assertArrayEquals(w, m.lookup(u32(7)));
        BpfMap lru = Maps.create(new MapSpec("lpc", MapType.LRU_PERCPU_HASH, 4, 4, 1, 0), 2);
        lru.update(u32(1), v, 0);
        lru.update(u32(2), w, 0);
        fails(Errno.ENOENT, () -> lru.lookup(u32(1)));
        assertArrayEquals(w, lru.lookup(u32(2)));
    }
}
