package org.obpf.core.helper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.helper.HelperContext;
import org.obpf.api.helper.HelperException;

class TraceHelpersTest {
    private final Arena arena = Arena.ofConfined();
    /** Memory the "run" may touch. */
    private final MemorySegment mem = arena.allocate(256, 8);
    private final HelperContext ctx = new HelperContext() {
        @Override public MemorySegment memory(long address, long length, boolean write) {
            long d = address - mem.address();
            if (d < 0 || length < 0 || d > mem.byteSize() - length) throw new HelperException("outside");
            return mem.asSlice(d, length);
        }
        @Override public void grant(MemorySegment region, boolean writable) {}
        @Override public int processorId() { return 0; }
    };

    @AfterEach
    void close() {
        arena.close();
    }

    private long call(int id, long r1, long r2, long r3, long r4, long r5) throws BpfException {
        return HelperTable.builtins().require(id).call(ctx, r1, r2, r3, r4, r5);
    }

    private long put(int offset, String s) {
        byte[] b = (s + "\0").getBytes(StandardCharsets.ISO_8859_1);
        MemorySegment.copy(b, 0, mem, ValueLayout.JAVA_BYTE, offset, b.length);
        return mem.address() + offset;
    }

    private String format(String fmt, long... args) throws Bprintf.BadFormat {
        return Bprintf.format(ctx, fmt, args, args.length);
    }

    @Test
    void formatsTheKernelSubset() throws Exception {
        assertEquals("-1 4294967295 ffffffff -1 18446744073709551615 ffffffffffffffff",
                format("%d %u %x %ld %llu %llx", -1, -1, -1, -1, -1, -1));
        assertEquals("[   42] [42   ] [00042] [+7] [ 0x1F]", format("[%5d] [%-5d] [%05d] [%+d] [%#X]".replace("%#X", " 0x%X"), 42, 42, 42, 7, 31));
        assertEquals("hello world %", format("hello %s %%", put(0, "world")));
        assertEquals("<ab>", format("<%.2s>", put(0, "abc")));
        assertEquals("<>", format("<%s>", 12345), "an unreadable string prints empty");
        assertEquals("c=A p=00000000deadbeef", format("c=%c p=%p", 'A', 0xdeadbeefL));
        assertEquals("%i -3", format("%%i %i", -3));
        assertThrows(Bprintf.BadFormat.class, () -> format("%f", 1));
        assertThrows(Bprintf.BadFormat.class, () -> format("%d %d", 1));
        assertThrows(Bprintf.BadFormat.class, () -> format("%lllx", 1));
        assertThrows(Bprintf.BadFormat.class, () -> format("%pS", 1));
    }

    @Test
    void tracePrintkWritesTheTraceBuffer() throws BpfException {
        long fmt = put(0, "pkt len %d from %s\n");
        long name = put(64, "eth0");
        assertEquals("pkt len 60 from eth0\n".length(), call(6, fmt, 20, 60, name, 0));
        List<String> lines = TraceBuffer.lines();
        assertEquals("pkt len 60 from eth0", lines.get(lines.size() - 1));
        assertEquals(-Errno.EINVAL.value(), call(6, fmt, 5, 60, name, 0), "format not NUL-terminated within fmt_size");
        assertEquals(-Errno.EINVAL.value(), call(6, put(0, "%d %d %d %d"), 12, 1, 2, 3));
    }

    @Test
    void snprintfReturnsTheLengthWithItsNulAndTruncates() throws BpfException {
        long fmt = put(0, "%d-%s");
        mem.set(ValueLayout.JAVA_LONG, 64, 1234);
        mem.set(ValueLayout.JAVA_LONG, 72, put(100, "xy"));
        long out = mem.address() + 128;
        assertEquals(8, call(165, out, 32, fmt, mem.address() + 64, 16));
        assertEquals("1234-xy", Bprintf.readString(ctx, out, 64));
        assertEquals(8, call(165, out, 4, fmt, mem.address() + 64, 16));
        assertEquals("123", Bprintf.readString(ctx, out, 64));
        assertEquals(-Errno.EINVAL.value(), call(165, out, 4, fmt, mem.address() + 64, 12), "data_len not a multiple of 8");
        assertEquals(-Errno.EINVAL.value(), call(165, out, 4, fmt, mem.address() + 64, 8), "too few arguments");
    }

    @Test
    void strncmpIsTheKernelsSignOnly() throws BpfException {
        long a = put(0, "abcd");
        assertEquals(0, call(182, a, 4, put(32, "abcd"), 0, 0));
        assertEquals(0, call(182, a, 3, put(32, "abcX"), 0, 0));
        assertEquals(-1, call(182, a, 4, put(32, "abd"), 0, 0));
        assertEquals(1, call(182, a, 4, put(32, "ab"), 0, 0));
    }

    @Test
    void probeReadZeroesTheDestinationOnAFault() throws BpfException {
        put(0, "secret!");
        long dst = mem.address() + 64;
        assertEquals(0, call(113, dst, 7, mem.address(), 0, 0));
        assertEquals("secret!", Bprintf.readString(ctx, dst, 7));
        mem.asSlice(64, 8).fill((byte) 0x55);
        assertEquals(-Errno.EFAULT.value(), call(112, dst, 8, 0x1000, 0, 0));
        assertArrayEquals(new byte[8], mem.asSlice(64, 8).toArray(ValueLayout.JAVA_BYTE));
    }
}
