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

class DevAndPerfMapTest {
    @Test
    void devmapSlotsHoldIfindexes() throws BpfException {
        fails(Errno.EINVAL, () -> Maps.create(new MapSpec("d", MapType.DEVMAP, 4, 12, 4, 0)));
        BpfMap d = Maps.create(new MapSpec("d", MapType.DEVMAP, 4, 8, 4, 0));
        assertEquals("map d: slot 1 is empty", fails(Errno.ENOENT, () -> d.lookup(u32(1))).getMessage());
        d.update(u32(1), new byte[] {5, 0, 0, 0, 0, 0, 0, 0}, BpfMap.BPF_ANY);
        assertArrayEquals(new byte[] {5, 0, 0, 0, 0, 0, 0, 0}, d.lookup(u32(1)));
        assertEquals(5, ((DevMap) d).ifindex(1));
        fails(Errno.EEXIST, () -> d.update(u32(1), new byte[8], BpfMap.BPF_NOEXIST));
        fails(Errno.E2BIG, () -> d.update(u32(4), new byte[8], 0));
        assertEquals("map d: devmap programs (bpf_prog.fd 3) are not supported",
                fails(Errno.EINVAL, () -> d.update(u32(0), new byte[] {5, 0, 0, 0, 3, 0, 0, 0}, 0)).getMessage());
        d.delete(u32(1));
        fails(Errno.ENOENT, () -> d.lookup(u32(1)));
        assertArrayEquals(u32(1), d.nextKey(u32(0)));
    }

    @Test
    void perfEventArraySlotsTakeHostBuffers() throws BpfException {
        PerfEventArrayMap p = (PerfEventArrayMap) Maps.create(new MapSpec("ev", MapType.PERF_EVENT_ARRAY, 4, 4, 2, 0));
        assertEquals(-Errno.ENOENT.value(), p.output(0, new byte[4]));
        var b = p.attach(0, 1);
        assertEquals(0, p.output(0, new byte[] {1}));
        assertEquals(-Errno.ENOSPC.value(), p.output(0, new byte[] {2}));
        assertEquals(1, b.lost());
        assertArrayEquals(new byte[] {1, 0, 0, 0}, b.poll().get(0), "1 byte + the u32 header, padded to 8");
        assertEquals(-Errno.E2BIG.value(), p.output(2, new byte[1]));
        fails(Errno.EOPNOTSUPP, () -> p.update(u32(0), u32(5), 0));
        p.delete(u32(0));
        fails(Errno.ENOENT, () -> p.delete(u32(0)));
    }
}
