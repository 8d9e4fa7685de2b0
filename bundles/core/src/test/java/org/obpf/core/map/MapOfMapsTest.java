package org.obpf.core.map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.obpf.core.map.ArrayMapTest.fails;
import static org.obpf.core.map.ArrayMapTest.u32;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;

class MapOfMapsTest {
    private static final MapSpec INNER = new MapSpec("inner", MapType.ARRAY, 4, 8, 4, 0);

    @Test
    void arrayOfMapsHoldsMapsByFdAndAnswersTheirIds() throws BpfException {
        MapTable t = new MapTable(1);
        int tmpl = t.create(INNER);
        int outer = t.create(new MapSpec("outer", MapType.ARRAY_OF_MAPS, 4, 4, 2, 0), tmpl);
        t.close(tmpl); // the template is only copied (bpf_map_meta_alloc)
        int a = t.create(INNER);
        AbstractBpfMap inner = t.get(a);
        MapOfMaps m = (MapOfMaps) t.get(outer);
        assertEquals(INNER, m.template());
        m.update(u32(1), u32(a), 0);
        assertArrayEquals(u32(inner.id()), m.lookup(u32(1)));
        assertEquals("map outer: no map at key 00 00 00 00", fails(Errno.ENOENT, () -> m.lookup(u32(0))).getMessage());
        fails(Errno.E2BIG, () -> m.update(u32(2), u32(a), 0));
        fails(Errno.EINVAL, () -> m.update(u32(0), u32(a), 1)); // BPF_ANY only
        fails(Errno.EBADF, () -> m.update(u32(0), u32(99), 0));
        assertArrayEquals(u32(0), m.nextKey(null));
        assertArrayEquals(u32(1), m.nextKey(u32(0)));
        fails(Errno.ENOENT, () -> m.nextKey(u32(1)));
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(inner.address(), m.lookupElem(arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_INT, 1)));
            assertEquals(0, m.lookupElem(arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_INT, 0)));
            assertEquals(-Errno.EINVAL.value(), m.updateElem(MemorySegment.NULL, MemorySegment.NULL, 0));
        }
    }

    @Test
    void innerMapsMustFitTheTemplate() throws BpfException {
        MapTable t = new MapTable(1);
        int tmpl = t.create(INNER);
        MapOfMaps m = (MapOfMaps) t.get(t.create(new MapSpec("outer", MapType.ARRAY_OF_MAPS, 4, 4, 2, 0), tmpl));
        int bigger = t.create(new MapSpec("bigger", MapType.ARRAY, 4, 8, 8, 0));
        int hash = t.create(new MapSpec("hash", MapType.HASH, 4, 8, 4, 0));
        int wide = t.create(new MapSpec("wide", MapType.ARRAY, 4, 16, 4, 0));
        assertEquals("map outer: map bigger does not fit the inner map template: max_entries 8 != 4 (and no BPF_F_INNER_MAP)",
                fails(Errno.EINVAL, () -> m.update(u32(0), u32(bigger), 0)).getMessage());
        assertEquals("map outer: map hash does not fit the inner map template: type hash != array",
                fails(Errno.EINVAL, () -> m.update(u32(0), u32(hash), 0)).getMessage());
        assertEquals("map outer: map wide does not fit the inner map template: value size 16 != 8",
                fails(Errno.EINVAL, () -> m.update(u32(0), u32(wide), 0)).getMessage());
        fails(Errno.EINVAL, () -> m.update(u32(0), u32(t.create(new MapSpec("o2", MapType.ARRAY_OF_MAPS, 4, 4, 1, 0), tmpl)), 0));

        // BPF_F_INNER_MAP: any max_entries
        int flexTmpl = t.create(new MapSpec("flex", MapType.ARRAY, 4, 8, 1, MapOfMaps.BPF_F_INNER_MAP));
        MapOfMaps flex = (MapOfMaps) t.get(t.create(new MapSpec("outer2", MapType.ARRAY_OF_MAPS, 4, 4, 1, 0), flexTmpl));
        flex.update(u32(0), u32(t.create(new MapSpec("big", MapType.ARRAY, 4, 8, 100, MapOfMaps.BPF_F_INNER_MAP))), 0);

        assertEquals("map x: array_of_maps needs an inner map template (inner_map_fd)",
                fails(Errno.EINVAL, () -> t.create(new MapSpec("x", MapType.ARRAY_OF_MAPS, 4, 4, 1, 0))).getMessage());
        fails(Errno.EINVAL, () -> t.create(new MapSpec("x", MapType.ARRAY_OF_MAPS, 4, 8, 1, 0), tmpl));
        fails(Errno.EINVAL, () -> t.create(new MapSpec("x", MapType.HASH_OF_MAPS, 4, 4, 0, 0), tmpl));
        int pa = t.create(new MapSpec("pa", MapType.PROG_ARRAY, 4, 4, 1, 0));
        assertEquals("map x: hash_of_maps: a prog_array map cannot be an inner map",
                fails(Errno.EINVAL, () -> t.create(new MapSpec("x", MapType.HASH_OF_MAPS, 4, 4, 1, 0), pa)).getMessage());
    }

    @Test
    void aSlotKeepsItsMapAliveUntilItIsReplacedOrTheOuterMapGoes() throws BpfException {
        MapTable t = new MapTable(1);
        int tmpl = t.create(INNER);
        int outer = t.create(new MapSpec("outer", MapType.HASH_OF_MAPS, 8, 4, 2, 0), tmpl);
        MapOfMaps m = (MapOfMaps) t.get(outer);
        int a = t.create(INNER);
        int b = t.create(INNER);
        AbstractBpfMap ma = t.get(a);
        AbstractBpfMap mb = t.get(b);
        byte[] k1 = {1, 0, 0, 0, 0, 0, 0, 0};
        byte[] k2 = {2, 0, 0, 0, 0, 0, 0, 0};
        m.update(k1, u32(a), 1); // BPF_NOEXIST
        fails(Errno.EEXIST, () -> m.update(k1, u32(b), 1));
        fails(Errno.ENOENT, () -> m.update(k2, u32(b), 2)); // BPF_EXIST
        m.update(k2, u32(b), 0);
        fails(Errno.E2BIG, () -> m.update(new byte[8], u32(b), 0));
        t.close(a);
        t.close(b);
        assertFalse(ma.isFreed());
        ma.update(u32(0), new byte[] {7, 0, 0, 0, 0, 0, 0, 0}, 0); // still usable through the slot
        m.update(k1, u32(tmpl), 2 /* BPF_EXIST */);
        assertTrue(ma.isFreed(), "replacing the slot dropped its reference");
        assertArrayEquals(k1, m.nextKey(null));
        assertArrayEquals(k2, m.nextKey(k1));
        fails(Errno.ENOENT, () -> m.nextKey(k2));
        m.delete(k2);
        assertTrue(mb.isFreed());
        fails(Errno.ENOENT, () -> m.delete(k2));
        AbstractBpfMap template = t.get(tmpl);
        t.close(tmpl);
        assertFalse(template.isFreed(), "slot k1 holds the template map itself");
        t.close(outer);
        assertTrue(m.isFreed());
        assertTrue(template.isFreed());
    }
}
