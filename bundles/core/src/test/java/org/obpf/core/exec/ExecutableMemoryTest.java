package org.obpf.core.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.core.helper.BuiltinHelpers;
import org.obpf.core.helper.HelperTable;

class ExecutableMemoryTest {
    static final FunctionDescriptor LL_L = FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG);

    static void requireX86() {
        Assumptions.assumeTrue(HostJitEngine.hostArch().equals("x86_64"), "machine code below is x86-64");
    }

    @Test
    void codeIsWrittenThenSealedReadExecuteAndRuns() throws Throwable {
        requireX86();
        try (ExecutableMemory m = ExecutableMemory.allocate(10)) {
            assertEquals(0, m.address() % Libc.PAGE_SIZE);
            assertEquals(Libc.PAGE_SIZE, m.size());
            m.write(new byte[] {0x48, (byte) 0x89, (byte) 0xf8, 0x48, 0x01, (byte) 0xf0, (byte) 0xc3}); // mov rax, rdi; add rax, rsi; ret
            assertFalse(m.isSealed());
            m.seal();
            assertTrue(m.isSealed());
            assertThrows(IllegalStateException.class, () -> m.write(new byte[] {(byte) 0xc3}), "never writable once executable");
            MethodHandle f = Linker.nativeLinker().downcallHandle(MemorySegment.ofAddress(m.address()), LL_L);
            assertEquals(42, (long) f.invokeExact(40L, 2L));
        }
    }

    @Test
    void unloadingWaitsForTheLastRun() {
        ExecutableMemory m = ExecutableMemory.allocate(1);
        assertTrue(m.acquire());
        assertTrue(m.acquire());
        assertEquals(2, m.activeRuns());
        m.close();
        assertFalse(m.acquire(), "no new runs once unloaded");
        assertFalse(m.isUnmapped());
        m.release();
        assertFalse(m.isUnmapped());
        m.release();
        assertTrue(m.isUnmapped());
        m.close(); // idempotent
        assertTrue(m.isUnmapped());
    }

    @Test
    void helperStubsAreNativeFunctionsThatNeverThrow() throws Throwable {
        HelperStubs stubs = new HelperStubs(HelperTable.builtins());
        long a = stubs.address(BuiltinHelpers.BPF_FUNC_get_prandom_u32);
        assertEquals(a, stubs.address(BuiltinHelpers.BPF_FUNC_get_prandom_u32), "one stub per helper");
        assertTrue(stubs.tailCallAddress() != 0);
        // Helper 4 (the old bpf_probe_read) is not provided: asking for its stub is an error.
        BpfException e = assertThrows(BpfException.class, () -> stubs.address(4));
        assertEquals(Errno.EINVAL, e.errno());
        // Called outside a run there is no context to record a failure in: the stub answers -EFAULT.
        MethodHandle tail = Linker.nativeLinker().downcallHandle(MemorySegment.ofAddress(stubs.tailCallAddress()),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
        assertEquals(0, (long) tail.invokeExact(0L, 0L, 0L));
        MethodHandle rnd = Linker.nativeLinker().downcallHandle(MemorySegment.ofAddress(a), FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
        assertEquals(-Errno.EFAULT.value(), (long) rnd.invokeExact(0L, 0L, 0L, 0L, 0L));
    }

    @Test
    void noHostBackEndOnCoresOwnClassPath() {
        assertTrue(HostJitEngine.discover(getClass().getClassLoader()).isEmpty());
    }
}
