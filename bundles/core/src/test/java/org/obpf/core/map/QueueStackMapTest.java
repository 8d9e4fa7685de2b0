package org.obpf.core.map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.obpf.core.map.ArrayMapTest.fails;
import static org.obpf.core.map.ArrayMapTest.u32;

import org.junit.jupiter.api.Test;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.map.BpfMap;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;

class QueueStackMapTest {
    @Test
    void creationNeedsNoKey() {
        assertEquals("map q: queue needs key size 0, value size > 0 and max_entries > 0 (got key 4, value 4, max_entries 2)",
                fails(Errno.EINVAL, () -> Maps.create(new MapSpec("q", MapType.QUEUE, 4, 4, 2, 0))).getMessage());
        fails(Errno.EINVAL, () -> Maps.create(new MapSpec("q", MapType.STACK, 0, 0, 2, 0)));
    }

    @Test
    void queueIsFifoAndFullPushFailsUnlessExistOverwritesTheOldest() throws BpfException {
        BpfMap q = Maps.create(new MapSpec("q", MapType.QUEUE, 0, 4, 2, 0));
        assertEquals("map q: queue is empty", fails(Errno.ENOENT, () -> q.lookupAndDelete(null)).getMessage());
        q.update(null, u32(1), BpfMap.BPF_ANY);
        q.update(null, u32(2), BpfMap.BPF_ANY);
        assertEquals("map q: queue is full (2 values)", fails(Errno.E2BIG, () -> q.update(null, u32(3), BpfMap.BPF_ANY)).getMessage());
        assertEquals("map q: invalid push flags 0x1", fails(Errno.EINVAL, () -> q.update(null, u32(3), BpfMap.BPF_NOEXIST)).getMessage());
        q.update(null, u32(3), BpfMap.BPF_EXIST);
        assertArrayEquals(u32(2), q.lookup(null));
        assertArrayEquals(u32(2), q.lookupAndDelete(null));
        assertArrayEquals(u32(3), q.lookupAndDelete(null));
        fails(Errno.ENOENT, () -> q.lookup(null));
        fails(Errno.EINVAL, () -> q.delete(null));
        fails(Errno.EINVAL, () -> q.nextKey(null));
        assertEquals("map q: key size 4, expected 0 (no key)", fails(Errno.EINVAL, () -> q.lookup(u32(0))).getMessage());
    }

    @Test
    void stackIsLifoAndExistOverwritesTheOldest() throws BpfException {
        BpfMap s = Maps.create(new MapSpec("s", MapType.STACK, 0, 4, 3, 0));
        for (int i = 1; i <= 3; i++) s.update(null, u32(i), BpfMap.BPF_ANY);
        s.update(null, u32(4), BpfMap.BPF_EXIST); // drops 1, the oldest
        assertArrayEquals(u32(4), s.lookupAndDelete(null));
        assertArrayEquals(u32(3), s.lookupAndDelete(null));
        assertArrayEquals(u32(2), s.lookup(null));
        assertArrayEquals(u32(2), s.lookupAndDelete(null));
        assertEquals("map s: stack is empty", fails(Errno.ENOENT, () -> s.lookupAndDelete(null)).getMessage());
    }
}
