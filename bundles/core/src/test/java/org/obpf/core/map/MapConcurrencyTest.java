package org.obpf.core.map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.obpf.core.map.ArrayMapTest.u32;
import static org.obpf.core.map.ArrayMapTest.u64;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.map.BpfMap;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;

/**
 * Several threads update, delete and look up while another iterates: nothing crashes, every value
 * read is one some thread wrote for that key, and what stays in the end is exactly what was written last.
 */
class MapConcurrencyTest {
    private static final MemorySegment MEM = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private static void hammer(MapType type) throws Exception {
        HashTabMap m = (HashTabMap) Maps.create(new MapSpec("c", type, 4, 8, 64, 0));
        int threads = 4;
        int rounds = 20_000;
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        AtomicLong lookups = new AtomicLong();
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            all.add(Thread.ofPlatform().start(() -> {
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment key = a.allocate(4);
                    MemorySegment value = a.allocate(8);
                    start.await();
                    for (int i = 0; i < rounds; i++) {
                        int k = id * 16 + (i % 16); // each thread owns 16 keys
                        key.set(ValueLayout.JAVA_INT, 0, k);
                        value.set(ValueLayout.JAVA_LONG, 0, (long) k << 32 | i);
                        long rc = m.updateElem(key, value, BpfMap.BPF_ANY);
                        if (rc != 0) throw new AssertionError("update " + k + ": " + rc);
                        long v = m.lookupElem(key);
                        if (v == 0) throw new AssertionError("own key " + k + " missing");
                        long got = MEM.get(ValueLayout.JAVA_LONG, v);
                        // a recycled element may already hold another key's newer value, never garbage
                        if ((got >>> 32) >= threads * 16) throw new AssertionError("garbage value " + Long.toHexString(got));
                        lookups.incrementAndGet();
                        if (i % 7 == 0) m.deleteElem(key);
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        Thread iterator = Thread.ofPlatform().start(() -> {
            try {
                start.await();
                for (int i = 0; i < 2000; i++) {
                    byte[] k = null;
                    int n = 0;
                    for (;;) {
                        try {
                            k = m.nextKey(k);
                        } catch (BpfException e) {
                            if (e.errno() != Errno.ENOENT) throw e;
                            break;
                        }
                        if (++n > 10_000) throw new AssertionError("iteration does not end");
                    }
                }
            } catch (Throwable e) {
                errors.add(e);
            }
        });
        start.countDown();
        for (Thread t : all) t.join();
        iterator.join();
        if (!errors.isEmpty()) throw new AssertionError(errors.peek());
        assertEquals((long) threads * rounds, lookups.get());
        // the last write of each key survives (i = rounds - 1 .. rounds - 16; deleted when i % 7 == 0)
        int present = 0;
        for (int t = 0; t < threads; t++) {
            for (int i = rounds - 16; i < rounds; i++) {
                int k = t * 16 + (i % 16);
                if (i % 7 == 0) continue;
                assertArrayEquals(u64((long) k << 32 | i), m.lookup(u32(k)));
                present++;
            }
        }
        assertEquals(present, m.size());
        assertTrue(present > 0);
    }

    @Test
    void hashUnderConcurrentUpdatesLookupsDeletesAndIteration() throws Exception {
        hammer(MapType.HASH);
    }

    @Test
    void lruHashUnderTheSameLoad() throws Exception {
        hammer(MapType.LRU_HASH);
    }

    @Test
    void arrayUnderConcurrentAtomicAddsFromHostAndPrograms() throws Exception {
        ArrayMap m = (ArrayMap) Maps.create(new MapSpec("a", MapType.ARRAY, 4, 8, 4, 0));
        var handle = ValueLayout.JAVA_LONG.varHandle();
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            ts.add(Thread.ofPlatform().start(() -> {
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment key = a.allocate(4);
                    for (int i = 0; i < 10_000; i++) {
                        key.set(ValueLayout.JAVA_INT, 0, i & 3);
                        handle.getAndAdd(MEM, m.lookupElem(key), 1L);
                    }
                }
            }));
        }
        for (Thread t : ts) t.join();
        long sum = 0;
        for (int i = 0; i < 4; i++) sum += MEM.get(ValueLayout.JAVA_LONG, m.values().address() + 8L * i);
        assertEquals(40_000, sum);
    }

    @Test
    void ringbufWithTwoProducersAndAConsumerLosesAndCorruptsNothing() throws Exception {
        RingBufMap rb = (RingBufMap) Maps.create(new MapSpec("rb", MapType.RINGBUF, 0, 0, 8192, 0));
        int perThread = 20_000;
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        AtomicLong dropped = new AtomicLong();
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            long tag = (long) t << 32;
            producers.add(Thread.ofPlatform().start(() -> {
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment sample = a.allocate(16);
                    for (int i = 0; i < perThread; i++) {
                        sample.set(ValueLayout.JAVA_LONG, 0, tag | i);
                        sample.set(ValueLayout.JAVA_LONG, 8, ~(tag | i));
                        while (rb.output(sample, 0) == -Errno.EAGAIN.value()) {
                            dropped.incrementAndGet();
                            Thread.onSpinWait();
                        }
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        long[] next = new long[2];
        long received = 0;
        while (received < 2L * perThread && errors.isEmpty()) {
            received += rb.consume(b -> {
                long v = b.order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0);
                if (b.getLong(8) != ~v) throw new AssertionError("torn record " + Long.toHexString(v));
                int producer = (int) (v >>> 32);
                if ((int) v != next[producer]) throw new AssertionError("producer " + producer + ": got " + (int) v + ", expected " + next[producer]);
                next[producer]++;
            });
        }
        for (Thread t : producers) t.join();
        if (!errors.isEmpty()) throw new AssertionError(errors.peek());
        assertEquals(2L * perThread, received);
        assertEquals(0, rb.availableData());
    }

    @Test
    void lpmTrieLookupsWhileRoutesChange() throws Exception {
        BpfMap t = Maps.create(new MapSpec("routes", MapType.LPM_TRIE, 8, 4, 64, LpmTrieMap.BPF_F_NO_PREALLOC));
        t.update(new byte[] {8, 0, 0, 0, 10, 0, 0, 0}, u32(8), 0);
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; i < 20_000; i++) {
                    byte[] k = {24, 0, 0, 0, 10, 1, (byte) ((i / 2) & 15), 0};
                    if (i % 2 == 0) t.update(k, u32(24), 0);
                    else t.delete(k);
                }
            } catch (Throwable e) {
                errors.add(e);
            }
        });
        try (Arena a = Arena.ofConfined()) {
            MemorySegment key = a.allocate(8);
            key.set(ValueLayout.JAVA_INT, 0, 32);
            key.set(ValueLayout.JAVA_INT, 4, 0x0501010a); // 10.1.1.5
            LpmTrieMap trie = (LpmTrieMap) t;
            while (writer.isAlive()) {
                long v = trie.lookupElem(key);
                if (v == 0) throw new AssertionError("10/8 always matches");
                int got = MEM.get(ValueLayout.JAVA_INT, v);
                if (got != 8 && got != 24 && got != 0) throw new AssertionError("value " + got);
            }
        }
        writer.join();
        if (!errors.isEmpty()) throw new AssertionError(errors.peek());
    }
}
