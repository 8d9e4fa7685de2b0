package org.obpf.core.map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.obpf.core.map.ArrayMapTest.fails;
import static org.obpf.core.map.ArrayMapTest.u32;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.map.BpfMap;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;

class MapTableTest {
    @Test
    void fdsStartAtThreeAndTheLowestFreeIsReused() throws BpfException {
        MapTable t = new MapTable(2);
        int a = t.create(new MapSpec("a", MapType.ARRAY, 4, 4, 1, 0));
        int b = t.create(new MapSpec("b", MapType.HASH, 4, 4, 1, 0));
        int c = t.create(new MapSpec("c", MapType.PERCPU_ARRAY, 4, 4, 1, 0));
        assertEquals(List.of(3, 4, 5), List.of(a, b, c));
        assertEquals(2, t.get(c).possibleCpus());
        AbstractBpfMap mapB = t.get(b);
        t.close(b);
        assertTrue(mapB.isFreed());
        assertEquals("fd 4 is not a map", fails(Errno.EBADF, () -> t.get(4)).getMessage());
        fails(Errno.EBADF, () -> t.close(4));
        assertEquals(4, t.create(new MapSpec("d", MapType.QUEUE, 0, 4, 1, 0)));
        assertEquals(List.of(3, 4, 5), t.fds());
        assertSame(t.get(3), t.byId(t.get(3).id()).orElseThrow());
    }

    @Test
    void aMapHeldByAProgramOutlivesItsFd() throws BpfException {
        MapTable t = new MapTable();
        int fd = t.create(new MapSpec("a", MapType.ARRAY, 4, 4, 1, 0));
        AbstractBpfMap m = t.get(fd).retain(); // what a loaded program does
        t.close(fd);
        m.update(u32(0), u32(5), 0);
        assertArrayEquals(u32(5), m.lookup(u32(0)));
        m.release();
        assertTrue(m.isFreed());
    }

    @Test
    void progArraySlotsAreSetByProgramFd() throws BpfException {
        Object prog = new Object();
        MapTable t = new MapTable().programs(fd -> fd == 9 ? prog : null);
        ProgArrayMap pa = (ProgArrayMap) t.get(t.create(new MapSpec("jmp", MapType.PROG_ARRAY, 4, 4, 2, 0)));
        BpfMap m = pa;
        m.update(u32(1), u32(9), BpfMap.BPF_ANY);
        assertSame(prog, pa.get(1));
        assertArrayEquals(u32(9), m.lookup(u32(1)));
        assertEquals("map jmp: no program with fd 8", fails(Errno.EBADF, () -> m.update(u32(0), u32(8), 0)).getMessage());
        fails(Errno.EINVAL, () -> m.update(u32(0), u32(9), BpfMap.BPF_NOEXIST));
        fails(Errno.E2BIG, () -> m.update(u32(2), u32(9), 0));
        assertEquals("map jmp: slot 0 is empty", fails(Errno.ENOENT, () -> m.delete(u32(0))).getMessage());
        m.delete(u32(1));
        assertEquals(null, pa.get(1));
        fails(Errno.EINVAL, () -> Maps.create(new MapSpec("jmp", MapType.PROG_ARRAY, 4, 8, 2, 0)));
    }
}
