package org.obpf.core.map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.obpf.core.map.ArrayMapTest.fails;
import static org.obpf.core.map.ArrayMapTest.u32;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.map.BpfMap;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;

class LpmTrieMapTest {
    /** struct bpf_lpm_trie_key for IPv4: prefixlen (host order) then the address in network order. */
    static byte[] key(int prefixlen, int a, int b, int c, int d) {
        return new byte[] {(byte) prefixlen, 0, 0, 0, (byte) a, (byte) b, (byte) c, (byte) d};
    }

    private static BpfMap trie(int max) throws BpfException {
        return Maps.create(new MapSpec("routes", MapType.LPM_TRIE, 8, 4, max, LpmTrieMap.BPF_F_NO_PREALLOC));
    }

    @Test
    void creationNeedsNoPreallocAndSaneSizes() {
        fails(Errno.EINVAL, () -> Maps.create(new MapSpec("t", MapType.LPM_TRIE, 8, 4, 4, 0)));
        fails(Errno.EINVAL, () -> Maps.create(new MapSpec("t", MapType.LPM_TRIE, 4, 4, 4, 1)));
        fails(Errno.EINVAL, () -> Maps.create(new MapSpec("t", MapType.LPM_TRIE, 261, 4, 4, 1)));
    }

    @Test
    void lookupFindsTheLongestMatchingPrefix() throws BpfException {
        BpfMap t = trie(8);
        t.update(key(8, 10, 0, 0, 0), u32(8), BpfMap.BPF_ANY);
        t.update(key(16, 10, 1, 0, 0), u32(16), BpfMap.BPF_ANY);
        t.update(key(24, 10, 1, 2, 0), u32(24), BpfMap.BPF_ANY);
        t.update(key(0, 0, 0, 0, 0), u32(0), BpfMap.BPF_ANY);
        assertArrayEquals(u32(24), t.lookup(key(32, 10, 1, 2, 3)));
        assertArrayEquals(u32(16), t.lookup(key(32, 10, 1, 3, 3)));
        assertArrayEquals(u32(8), t.lookup(key(32, 10, 200, 3, 3)));
        assertArrayEquals(u32(0), t.lookup(key(32, 11, 0, 0, 1)));
        // the key's own prefixlen bounds the match
        assertArrayEquals(u32(16), t.lookup(key(20, 10, 1, 2, 3)));
        // bits beyond the prefix do not matter for updates either
        t.update(key(16, 10, 1, 99, 99), u32(160), BpfMap.BPF_EXIST);
        assertArrayEquals(u32(160), t.lookup(key(32, 10, 1, 3, 3)));
        t.delete(key(0, 0, 0, 0, 0));
        assertEquals("map routes: no prefix matches 20 00 00 00 0b 00 00 01",
                fails(Errno.ENOENT, () -> t.lookup(key(32, 11, 0, 0, 1))).getMessage());
        fails(Errno.ENOENT, () -> t.delete(key(12, 10, 0, 0, 0))); // deletes exact prefixes only
        assertEquals("map routes: prefixlen 33 exceeds 32", fails(Errno.EINVAL, () -> t.update(key(33, 1, 1, 1, 1), u32(1), 0)).getMessage());
        fails(Errno.EEXIST, () -> t.update(key(8, 10, 0, 0, 0), u32(1), BpfMap.BPF_NOEXIST));
        fails(Errno.ENOENT, () -> t.update(key(9, 10, 0, 0, 0), u32(1), BpfMap.BPF_EXIST));
    }

    @Test
    void aFullTrieRefusesNewPrefixesWithEnospc() throws BpfException {
        BpfMap t = trie(1);
        t.update(key(8, 10, 0, 0, 0), u32(1), 0);
        assertEquals("map routes: trie is full (1 entries)", fails(Errno.ENOSPC, () -> t.update(key(8, 11, 0, 0, 0), u32(1), 0)).getMessage());
        t.update(key(8, 10, 0, 0, 0), u32(2), 0);
    }

    @Test
    void iterationVisitsMoreSpecificPrefixesFirst() throws BpfException {
        BpfMap t = trie(8);
        byte[][] keys = {key(8, 10, 0, 0, 0), key(16, 10, 1, 0, 0), key(24, 10, 1, 2, 0), key(16, 10, 0, 0, 0), key(8, 192, 0, 0, 0)};
        for (byte[] k : keys) t.update(k, u32(1), 0);
        List<String> order = new ArrayList<>();
        byte[] k = null;
        for (;;) {
            try {
                k = t.nextKey(k);
            } catch (BpfException e) {
                break;
            }
            order.add((k[4] & 0xff) + "." + (k[5] & 0xff) + "." + (k[6] & 0xff) + "/" + k[0]);
        }
        // post-order: children before parents, the 0 branch before the 1 branch
        assertEquals(List.of("10.0.0/16", "10.1.2/24", "10.1.0/16", "10.0.0/8", "192.0.0/8"), order);
        assertArrayEquals(t.nextKey(null), t.nextKey(key(20, 1, 2, 3, 4)));
    }
}
