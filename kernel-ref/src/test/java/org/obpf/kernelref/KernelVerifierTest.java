package org.obpf.kernelref;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.obpf.api.Errno;
import org.obpf.api.insn.Opcodes;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;
import org.obpf.api.prog.ProgramType;
import org.obpf.api.text.Assembler;

/** The kernel verifier's verdicts, logs and statistics through {@link KernelVerifier}. */
class KernelVerifierTest {

    @BeforeEach
    void kernel() {
        Kernel.require();
    }

    static long[] asm(String source) throws Exception {
        return Assembler.assemble(source);
    }

    /** {@code lddw rD, map K}: the assembler's lddw with src set to BPF_PSEUDO_MAP_FD. */
    static long[] withMapRef(long[] program, int pc) {
        long[] p = program.clone();
        p[pc] |= (long) Opcodes.BPF_PSEUDO_MAP_FD << 12;
        return p;
    }

    static final String LOOKUP = """
            stw [%r10-4], 0
            mov %r2, %r10
            add %r2, -4
            lddw %r1, 0
            call 1
            """;

    @Test
    void exitWithoutSettingR0IsRefusedAsNotReadOk() throws Exception {
        KernelVerdict v = KernelVerifier.verify(ProgramType.SOCKET_FILTER, asm("exit"), List.of());
        assertFalse(v.accepted());
        assertEquals(13, v.errno());
        assertEquals("EACCES", v.errnoName());
        assertEquals("R0 !read_ok", v.reason());
        assertTrue(v.log().contains("0: (95) exit\nR0 !read_ok\n"), v.log());
        assertEquals(1, v.stats().orElseThrow().insnsProcessed());
        assertTrue(v.info().isEmpty());
        assertEquals("refused EACCES: R0 !read_ok", v.toString());
    }

    @Test
    void loadThroughKernelProgramCarriesTheLogInTheException() throws Exception {
        KernelBpfException e = assertThrows(KernelBpfException.class,
                () -> KernelProgram.load(ProgramType.XDP, asm("exit"), List.of()));
        assertEquals(Errno.EACCES, e.errno());
        assertEquals("BPF_PROG_LOAD (xdp, 1 insns): EACCES: R0 !read_ok", e.getMessage());
        assertTrue(e.verifierLog().startsWith("0: R1=ctx() R10=fp0\n0: (95) exit\nR0 !read_ok\n"), e.verifierLog());
    }

    @Test
    void dereferencingAScalarIsAnInvalidMemAccess() throws Exception {
        KernelVerdict v = KernelVerifier.verify(ProgramType.XDP, asm("""
                mov %r1, 0
                ldxdw %r0, [%r1+0]
                exit
                """), List.of());
        assertEquals("R1 invalid mem access 'scalar'", v.reason());
        assertEquals(13, v.errno());
    }

    @Test
    void mapValueMustBeCheckedForNullAndMapsAreCreatedForLddwSrc1() throws Exception {
        List<MapSpec> maps = List.of(new MapSpec("obpf_v", MapType.HASH, 4, 8, 16, 0));
        long[] unchecked = withMapRef(asm(LOOKUP + "ldxdw %r0, [%r0+0]\nexit"), 3);
        KernelVerdict refused = KernelVerifier.verify(ProgramType.XDP, unchecked, maps);
        assertEquals("R0 invalid mem access 'map_value_or_null'", refused.reason());

        long[] checked = withMapRef(asm(LOOKUP + "jeq %r0, 0, +1\nldxdw %r0, [%r0+0]\nexit"), 3);
        KernelVerdict accepted = KernelVerifier.verify(ProgramType.XDP, checked, maps);
        assertTrue(accepted.accepted(), accepted::log);
        assertEquals("", accepted.reason());
        assertEquals(1, accepted.info().orElseThrow().nrMapIds());

        KernelVerdict outOfRange = KernelVerifier.verify(ProgramType.XDP, checked,
                List.of(new MapSpec("obpf_small", MapType.ARRAY, 4, 4, 1, 0)));
        assertEquals("invalid access to map value, value_size=4 off=0 size=8", outOfRange.reason());

        IllegalArgumentException noMap = assertThrows(IllegalArgumentException.class,
                () -> KernelVerifier.verify(ProgramType.XDP, checked, List.of()));
        assertEquals("insn 3: lddw src 1 names map 0 but 0 map(s) were given", noMap.getMessage());
    }

    @Test
    void verifierStatisticsOfAStraightLineProgram() throws Exception {
        KernelVerdict v = KernelVerifier.verify(ProgramType.XDP, asm("mov %r0, 2\nexit"), List.of());
        assertTrue(v.accepted(), v::log);
        VerifierStats s = v.stats().orElseThrow();
        assertEquals(2, s.insnsProcessed());
        assertEquals(1_000_000, s.insnLimit());
        assertEquals(0, s.totalStates());
        assertEquals(0, s.peakStates());
        assertEquals(0, s.maxStatesPerInsn());
        assertEquals(List.of(0), s.stackDepth());
        assertTrue(s.verificationTimeUsec().isPresent(), "BPF_LOG_STATS gives the verification time");

        ProgInfo info = v.info().orElseThrow();
        assertEquals(ProgramType.XDP, info.type().orElseThrow());
        assertEquals(16, info.xlatedProgLen());
        assertEquals(2, info.xlatedInsnCount());
        assertEquals(2, info.verifiedInsns());
        if (Files.readString(Path.of("/proc/sys/net/core/bpf_jit_enable")).strip().equals("1")) {
            assertTrue(info.jitedProgLen() > 0, "JIT enabled: machine code");
        }
    }

    @Test
    void branchesAndSubprogramsShowInStatesAndStackDepth() throws Exception {
        KernelVerdict v = KernelVerifier.verify(ProgramType.SOCKET_FILTER, asm("""
                ldxw %r2, [%r1+0]
                stdw [%r10-16], 1
                mov %r0, 0
                jgt %r2, 10, +1
                mov %r0, 1
                call local sub
                exit
                sub:
                stw [%r10-8], 5
                mov %r0, 3
                exit
                """), List.of());
        assertTrue(v.accepted(), v::log);
        VerifierStats s = v.stats().orElseThrow();
        assertEquals(List.of(16, 8), s.stackDepth());
        // Linux 6.18: both paths are walked to the end, 10 insns through "mov r0, 1" and 5 from
        // the jump on (3 -> 5, the subprogram, exit); one state is kept, at the call.
        assertEquals(15, s.insnsProcessed());
        assertEquals(0, s.maxStatesPerInsn());
        assertEquals(1, s.totalStates());
        assertEquals(1, s.peakStates());
    }

    @Test
    void fdArrayResolvesLddwWithMapIndex() throws Exception {
        try (KernelMap map = KernelMap.create(new MapSpec("obpf_idx", MapType.ARRAY, 4, 8, 1, 0))) {
            long[] program = asm(LOOKUP + "jeq %r0, 0, +1\nldxdw %r0, [%r0+0]\nexit");
            program[3] |= (long) Opcodes.BPF_PSEUDO_MAP_IDX << 12; // imm 0 = fd_array[0]
            ProgLoadAttr attr = ProgLoadAttr.of(ProgramType.XDP, program).withFdArray(new int[] {map.fd()});
            KernelBpf.Loaded loaded = KernelBpf.progLoad(attr);
            try {
                assertEquals(1, KernelBpf.progInfo(loaded.fd()).nrMapIds());
            } finally {
                KernelBpf.close(loaded.fd());
            }
            KernelBpfException noArray = assertThrows(KernelBpfException.class,
                    () -> KernelBpf.progLoad(attr.withFdArray(null)));
            assertEquals("EPROTO", noArray.errnoName());
            assertEquals(null, noArray.errno(), "OBPF's Errno has no EPROTO");
            assertEquals("fd_idx without fd_array is invalid", VerifierStats.reason(noArray.verifierLog()));
        }
    }

    @Test
    void xlatedAndJitedCodeOfALoadedProgram() throws Exception {
        long[] program = asm("mov %r0, 2\nexit");
        try (KernelProgram p = KernelProgram.load(ProgramType.XDP, program, List.of())) {
            assertArrayEquals(program, p.xlated(), "nothing to rewrite");
            assertEquals(p.info().jitedProgLen(), p.jited().length);
            assertEquals(2, p.stats().orElseThrow().insnsProcessed());
        }
    }

    @Test
    void aLogBufferTooSmallGrowsUntilTheWholeLogFits() throws Exception {
        long[] program = asm("mov %r0, 1\nmov %r1, 2\nmov %r2, 3\nmov %r3, 4\nadd %r0, %r1\nadd %r0, %r2\nexit");
        ProgLoadAttr attr = ProgLoadAttr.of(ProgramType.XDP, program)
                .withLog(KernelBpf.BPF_LOG_LEVEL2 | KernelBpf.BPF_LOG_STATS, 128);
        KernelVerdict v = KernelVerifier.verify(attr, List.of());
        assertTrue(v.accepted(), v::log);
        assertTrue(v.log().length() > 128, "grown past 128 bytes: " + v.log().length());
        assertTrue(v.log().contains("6: (95) exit"), v.log());
        assertEquals(7, v.stats().orElseThrow().insnsProcessed());
    }

    @Test
    void syscallProgramsAreLoadedSleepable() throws Exception {
        ProgLoadAttr attr = ProgLoadAttr.of(ProgramType.SYSCALL, asm("mov %r0, 0\nexit"));
        assertEquals(KernelBpf.BPF_F_SLEEPABLE, attr.progFlags());
        assertTrue(KernelVerifier.verify(attr, List.of()).accepted());
        KernelVerdict notSleepable = KernelVerifier.verify(attr.withProgFlags(0), List.of());
        assertEquals("Syscall programs can only be sleepable", notSleepable.reason());
        assertEquals("EINVAL", notSleepable.errnoName());
    }
}
