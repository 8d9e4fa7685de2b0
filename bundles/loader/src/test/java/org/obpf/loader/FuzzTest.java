package org.obpf.loader;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.obpf.api.obj.LoadException;

/**
 * Deterministic mutations of every corpus object (the rejected ones too): random bytes, bytes in the headers and tables
 * the loader trusts least, and truncations. Each load either succeeds or throws LoadException,
 * never anything else, and the whole run finishes within its time bound.
 */
class FuzzTest {
    /** Cases per corpus object; -Dobpf.fuzz.cases=N for a longer run. */
    private static final int CASES_PER_OBJECT = Integer.getInteger("obpf.fuzz.cases", 400);
    /** Seed of the mutations; -Dobpf.fuzz.seed=N for other cases. */
    private static final long SEED = Long.getLong("obpf.fuzz.seed", 0x0b9f_5eedL);

    @Test
    void mutatedObjectsGiveLoadExceptionOrLoad() {
        assertTimeoutPreemptively(Duration.ofSeconds(Math.max(120, CASES_PER_OBJECT / 10)), () -> {
            ElfObjectLoader loader = new ElfObjectLoader();
            Random rnd = new Random(SEED);
            int loaded = 0, rejected = 0;
            java.util.List<String> objects = new java.util.ArrayList<>(Corpus.names());
            Corpus.rejectedNames().forEach(n -> objects.add("rejected/" + n));
            for (String name : objects) {
                byte[] orig = Corpus.object(name);
                int[] hot = hotRegions(orig);
                for (int i = 0; i < CASES_PER_OBJECT; i++) {
                    byte[] b = mutate(orig, hot, rnd, i);
                    try {
                        loader.load(name + ".o", b);
                        loaded++;
                    } catch (LoadException e) {
                        rejected++;
                    } catch (Throwable t) {
                        AssertionError err = new AssertionError(name + " case " + i + ": " + t, t);
                        throw err;
                    }
                }
            }
            if (loaded + rejected != CASES_PER_OBJECT * objects.size()) fail("cases lost");
            if (rejected == 0 || loaded == 0) fail("the mutations should give both outcomes: loaded " + loaded + ", rejected " + rejected);
        });
    }

    /** Start/end byte ranges of the ELF header, section header table, symbol table and relocation sections. */
    private static int[] hotRegions(byte[] f) {
        ByteBuffer le = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        int shoff = (int) le.getLong(0x28);
        int shnum = Short.toUnsignedInt(le.getShort(0x3c));
        int[] r = new int[2 * (2 + shnum)];
        int n = 0;
        r[n++] = 0;
        r[n++] = 64;
        r[n++] = shoff;
        r[n++] = shoff + 64 * shnum;
        for (int i = 0; i < shnum; i++) {
            int h = shoff + 64 * i;
            int type = le.getInt(h + 4);
            if (type == 2 || type == 9 || type == 1) { // symtab, rel, progbits (code, maps, BTF)
                r[n++] = (int) le.getLong(h + 0x18);
                r[n++] = (int) (le.getLong(h + 0x18) + le.getLong(h + 0x20));
            }
        }
        return java.util.Arrays.copyOf(r, n);
    }

    private static byte[] mutate(byte[] orig, int[] hot, Random rnd, int i) {
        byte[] b = orig.clone();
        switch (i % 4) {
            case 0 -> { // a few random bytes anywhere
                for (int k = 1 + rnd.nextInt(4); k > 0; k--) b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            }
            case 1 -> { // one byte in a header or table
                int region = rnd.nextInt(hot.length / 2);
                int from = hot[2 * region], to = hot[2 * region + 1];
                if (to > from) b[from + rnd.nextInt(to - from)] = (byte) rnd.nextInt(256);
            }
            case 2 -> { // an interesting 32-bit value in a header or table
                int region = rnd.nextInt(hot.length / 2);
                int from = hot[2 * region], to = hot[2 * region + 1];
                if (to - from >= 4) {
                    int at = from + 4 * rnd.nextInt((to - from) / 4);
                    int[] values = {0, 1, -1, 0x7fffffff, 0x80000000, 0xffff, 8, 24, 64, b.length, b.length - 1};
                    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, values[rnd.nextInt(values.length)]);
                }
            }
            default -> { // truncation
                return java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
            }
        }
        return b;
    }
}
