package org.obpf.offload.rfpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;
import org.obpf.api.offload.DeviceMap;
import org.obpf.api.offload.OffloadDevice;

/** Device-resident maps: the kernel's semantics and errnos, values really in the device's DRAM. */
class RfpcMapTest {
    final RfpcDevice dev = new RfpcDevice(RfpcConfig.small("rfpc-maps"));

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    static Errno errno(org.junit.jupiter.api.function.Executable e) {
        return assertThrows(BpfException.class, e).errno();
    }

    @Test
    void arrayMap() throws BpfException {
        DeviceMap a = dev.createMap(new MapSpec("arr", MapType.ARRAY, 4, 12, 3, 0));
        assertEquals(0x8000_0000L, a.deviceAddress());
        assertEquals(0x8000_0000L + RfpcMap.HEADER, a.valueAddress());
        assertArrayEquals(new byte[12], a.lookup(u32(2)), "array values start zeroed");
        byte[] v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        a.update(u32(1), v, 0);
        assertArrayEquals(v, a.lookup(u32(1)));
        // the value sits in DRAM at value base + 1 * round_up(12, 8)
        assertArrayEquals(v, java.util.Arrays.copyOfRange(dev.dramBytes(), RfpcMap.HEADER + 16, RfpcMap.HEADER + 28));
        assertEquals(Errno.EEXIST, errno(() -> a.update(u32(1), v, RfpcMap.BPF_NOEXIST)));
        a.update(u32(1), v, RfpcMap.BPF_EXIST);
        assertEquals(Errno.E2BIG, errno(() -> a.update(u32(3), v, 0)));
        assertEquals(Errno.EINVAL, errno(() -> a.update(u32(0), v, 8)));
        assertEquals(Errno.ENOENT, errno(() -> a.lookup(u32(3))));
        assertEquals(Errno.EINVAL, errno(() -> a.delete(u32(0))));
        assertArrayEquals(u32(0), a.nextKey(null));
        assertArrayEquals(u32(2), a.nextKey(u32(1)));
        assertArrayEquals(u32(0), a.nextKey(u32(7)));
        assertEquals(Errno.ENOENT, errno(() -> a.nextKey(u32(2))));
        assertEquals("map arr: key of 8 bytes, expected 4", assertThrows(BpfException.class, () -> a.lookup(new byte[8])).getMessage());
        assertEquals("map arr: value of 4 bytes, expected 12", assertThrows(BpfException.class, () -> a.update(u32(0), u32(0), 0)).getMessage());
    }

    @Test
    void hashMap() throws BpfException {
        DeviceMap h = dev.createMap(new MapSpec("h", MapType.HASH, 6, 8, 2, 0));
        assertEquals(-1, h.valueAddress());
        byte[] k1 = {1, 2, 3, 4, 5, 6}, k2 = {6, 5, 4, 3, 2, 1}, k3 = {0, 0, 0, 0, 0, 9};
        assertEquals(Errno.ENOENT, errno(() -> h.lookup(k1)));
        assertEquals(Errno.ENOENT, errno(() -> h.nextKey(null)));
        assertEquals(Errno.ENOENT, errno(() -> h.update(k1, u64(1), RfpcMap.BPF_EXIST)));
        h.update(k1, u64(1), RfpcMap.BPF_NOEXIST);
        h.update(k2, u64(2), 0);
        assertEquals(Errno.EEXIST, errno(() -> h.update(k1, u64(9), RfpcMap.BPF_NOEXIST)));
        assertEquals(Errno.E2BIG, errno(() -> h.update(k3, u64(3), 0)));
        h.update(k1, u64(11), RfpcMap.BPF_EXIST);
        assertArrayEquals(u64(11), h.lookup(k1));
        assertArrayEquals(k1, h.nextKey(null));
        assertArrayEquals(k2, h.nextKey(k1));
        assertArrayEquals(k1, h.nextKey(k3), "a missing key restarts at the first, as the kernel does");
        assertEquals(Errno.ENOENT, errno(() -> h.nextKey(k2)));
        h.delete(k1);
        assertEquals(Errno.ENOENT, errno(() -> h.delete(k1)));
        h.update(k3, u64(3), 0);
        assertArrayEquals(k2, h.nextKey(null));
        assertArrayEquals(u64(3), h.lookup(k3));
    }

    @Test
    void mapsLiveInDramAndFreeIt() throws BpfException {
        long before = dev.dramFree();
        DeviceMap big = dev.createMap(new MapSpec("big", MapType.ARRAY, 4, 1024, 3000, 0));
        assertEquals(before - RfpcMap.HEADER - 1024L * 3000, dev.dramFree());
        BpfException e = assertThrows(BpfException.class, () -> dev.createMap(new MapSpec("huge", MapType.HASH, 8, 1024, 4000, 0)));
        assertEquals(Errno.ENOMEM, e.errno());
        assertEquals("rfpc-maps DRAM: no room for 4128032 bytes (1122272 of 4194304 free, largest block 1122272)", e.getMessage());
        big.close();
        assertEquals(before, dev.dramFree());
        assertEquals(Errno.EBADF, errno(() -> big.lookup(u32(0))));
        dev.createMap(new MapSpec("huge", MapType.HASH, 8, 1024, 4000, 0));
    }

    @Test
    void unsupportedMapsAreRefused() {
        BpfException e = assertThrows(BpfException.class, () -> dev.createMap(new MapSpec("lpm", MapType.LPM_TRIE, 8, 4, 16, 1)));
        assertEquals("rfpc-maps: map lpm: lpm_trie maps cannot live on the device (array, hash only)", e.getMessage());
        e = assertThrows(BpfException.class, () -> dev.createMap(new MapSpec("a", MapType.ARRAY, 8, 4, 16, 0)));
        assertEquals("rfpc-maps: map a: array maps have 4-byte keys, not 8", e.getMessage());
        assertEquals(Errno.EINVAL, errno(() -> dev.createMap(new MapSpec("z", MapType.HASH, 4, 4, 0, 0))));
        OffloadDevice d = dev;
        assertEquals("riscv32", d.arch());
    }
}
