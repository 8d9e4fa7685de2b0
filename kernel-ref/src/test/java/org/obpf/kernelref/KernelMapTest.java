package org.obpf.kernelref;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.obpf.api.Errno;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;

/** Maps in the kernel through BPF_MAP_CREATE and the element commands. */
class KernelMapTest {

    @BeforeEach
    void kernel() {
        Kernel.require();
    }

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    static int asU32(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    @Test
    void arrayMapIsPreallocatedZeroedAndIteratesInIndexOrder() throws Exception {
        try (KernelMap m = KernelMap.create(new MapSpec("obpf_array", MapType.ARRAY, 4, 8, 4, 0))) {
            assertTrue(m.fd() > 2, "a fresh fd");
            m.update(u32(1), u64(0x1122334455667788L));
            assertArrayEquals(u64(0x1122334455667788L), m.lookup(u32(1)).orElseThrow());
            assertArrayEquals(new byte[8], m.lookup(u32(2)).orElseThrow(), "every element exists, zeroed");
            assertEquals(Optional.empty(), m.lookup(u32(4)), "index past max_entries: ENOENT");

            KernelBpfException tooFar = assertThrows(KernelBpfException.class, () -> m.update(u32(4), u64(1)));
            assertEquals(Errno.E2BIG, tooFar.errno());
            assertEquals(7, tooFar.rawErrno());
            KernelBpfException noexist = assertThrows(KernelBpfException.class,
                    () -> m.update(u32(1), u64(2), KernelBpf.BPF_NOEXIST));
            assertEquals(Errno.EEXIST, noexist.errno(), "array elements always exist");
            KernelBpfException delete = assertThrows(KernelBpfException.class, () -> m.delete(u32(1)));
            assertEquals(Errno.EINVAL, delete.errno(), "array elements cannot be deleted");
            assertEquals("EINVAL: BPF_MAP_DELETE_ELEM on map fd " + m.fd() + ": EINVAL", delete.toString());

            assertEquals(List.of(0, 1, 2, 3), m.keys().stream().map(KernelMapTest::asU32).toList());
            assertArrayEquals(u32(2), m.nextKey(u32(1)).orElseThrow());
            assertEquals(Optional.empty(), m.nextKey(u32(3)));
        }
    }

    @Test
    void hashMapHonoursUpdateFlagsCapacityAndDelete() throws Exception {
        try (KernelMap m = KernelMap.create(new MapSpec("obpf_hash", MapType.HASH, 4, 8, 2, 0))) {
            assertEquals(Optional.empty(), m.nextKey(null), "empty map: no first key");
            m.update(u32(10), u64(100));
            m.update(u32(20), u64(200), KernelBpf.BPF_NOEXIST);
            assertEquals(Errno.EEXIST, assertThrows(KernelBpfException.class,
                    () -> m.update(u32(10), u64(1), KernelBpf.BPF_NOEXIST)).errno());
            assertEquals(Errno.ENOENT, assertThrows(KernelBpfException.class,
                    () -> m.update(u32(30), u64(1), KernelBpf.BPF_EXIST)).errno());
            assertEquals(Errno.E2BIG, assertThrows(KernelBpfException.class,
                    () -> m.update(u32(30), u64(300))).errno(), "max_entries 2");
            m.update(u32(10), u64(101), KernelBpf.BPF_EXIST);

            assertArrayEquals(u64(101), m.lookup(u32(10)).orElseThrow());
            assertArrayEquals(u64(200), m.lookup(u32(20)).orElseThrow());
            assertEquals(Optional.empty(), m.lookup(u32(30)));
            Set<Integer> keys = m.keys().stream().map(KernelMapTest::asU32).collect(Collectors.toSet());
            assertEquals(Set.of(10, 20), keys);

            assertTrue(m.delete(u32(10)));
            assertFalse(m.delete(u32(10)), "already gone: ENOENT");
            assertEquals(List.of(20), m.keys().stream().map(KernelMapTest::asU32).toList());
            m.update(u32(30), u64(300));
            assertEquals(Set.of(20, 30), m.keys().stream().map(KernelMapTest::asU32).collect(Collectors.toSet()));
        }
    }

    @Test
    void badSpecsAreRefusedWithTheKernelsErrno() {
        KernelBpfException zeroKey = assertThrows(KernelBpfException.class,
                () -> KernelMap.create(new MapSpec("bad", MapType.HASH, 0, 8, 4, 0)));
        assertEquals(Errno.EINVAL, zeroKey.errno());
        assertEquals("BPF_MAP_CREATE map 'bad' (hash, key 0, value 8, max_entries 4, flags 0x0): EINVAL", zeroKey.getMessage());
        KernelBpfException arrayKey = assertThrows(KernelBpfException.class,
                () -> KernelMap.create(new MapSpec("bad", MapType.ARRAY, 8, 8, 4, 0)));
        assertEquals(Errno.EINVAL, arrayKey.errno(), "array keys are u32");
    }

    @Test
    void aBadFdIsEbadf() throws Exception {
        KernelMap m = KernelMap.create(new MapSpec("obpf_closed", MapType.ARRAY, 4, 4, 1, 0));
        m.close();
        m.close(); // idempotent
        KernelBpfException e = assertThrows(KernelBpfException.class, () -> KernelBpf.mapLookup(-1, u32(0), 4));
        assertEquals(9, e.rawErrno());
        assertEquals("EBADF", e.errnoName());
        assertEquals(org.obpf.api.Errno.EBADF, e.errno());
    }
}
