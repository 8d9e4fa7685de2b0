package org.obpf.api.registry;

import java.util.List;
import org.obpf.api.BpfException;
import org.obpf.api.map.BpfMap;
import org.obpf.api.map.MapSpec;
import org.obpf.api.prog.ProgramType;
import org.obpf.api.prog.TestRun;

/**
 * The program and map registry: what {@code bpf()} offers user space, by id instead of by fd.
 * Provided by core; the shell and other clients reach programs and maps only through it.
 *
 * <p>Programs run on an engine: {@link #INTERPRETER} or a host JIT back-end by its
 * {@code bpf.arch}. Back-ends come and go while programs run: a run already inside a departing
 * back-end's code finishes there, later runs take the interpreter (or another back-end of that
 * arch), and when a back-end of the arch returns the program is compiled again (unless the
 * registry is configured not to). Maps and pins belong to the registry, so no bundle going away
 * loses them.
 *
 * <p>Every failure is a {@link BpfException} with the kernel's errno and a one-line message:
 * {@code ENOENT} for an unknown id or path, {@code EINVAL} for a bad argument, {@code EACCES}
 * for a program the verifier rejects, {@code EEXIST} for a path already pinned.
 */
public interface BpfSystem {
    /** The engine name of the interpreter. */
    String INTERPRETER = "interp";
    /** Load option: the host's JIT back-end when one is installed, else the interpreter. */
    String AUTO = "auto";

    // ---- programs ----

    /**
     * Loads the programs of a BPF ELF object ({@code clang -target bpf -c}): its maps are created,
     * each program verified, prelinked and put on its engine.
     *
     * @param fileName the object's file name ({@code xdp_pass.o}), which names it
     * @return the programs loaded, in the object's order
     * @throws BpfException {@code EINVAL} for a malformed object or an unknown program name,
     *     {@code EACCES} when the verifier rejects a program (nothing of the object is kept then),
     *     {@code ENODEV} for an engine whose back-end is not installed
     */
    List<ProgramInfo> loadObject(String fileName, byte[] elf, LoadOptions options) throws BpfException;

    /**
     * Loads raw bytecode. A {@code lddw} with src 1 (map) or 2 (map value) and immediate K names
     * {@code mapIds.get(K)}.
     */
    ProgramInfo loadRaw(String name, ProgramType type, long[] insns, List<Integer> mapIds, LoadOptions options)
            throws BpfException;

    List<ProgramInfo> programs();

    ProgramInfo program(int id) throws BpfException;

    /** Drops the program; its code is freed once the last run inside leaves. {@code EBUSY} while pinned. */
    void unload(int id) throws BpfException;

    /** The instruction slots after each pipeline stage, first to last. */
    List<ProgramStage> xlated(int id) throws BpfException;

    /** The machine code new runs use; {@code EINVAL} when the program is interpreted. */
    JitedCode jited(int id) throws BpfException;

    /** {@code BPF_PROG_TEST_RUN} on the program's current engine. */
    TestRun.Result testRun(int id, TestRun.Request request) throws BpfException;

    /**
     * {@code BPF_PROG_TEST_RUN} on a given engine ({@link #INTERPRETER} or an installed host arch),
     * compiled for it on first use: how {@code compare} runs one program everywhere.
     */
    TestRun.Result testRun(int id, String engine, TestRun.Request request) throws BpfException;

    /** Bytes of machine code of the program on {@code engine} (0 for the interpreter). */
    int codeSize(int id, String engine) throws BpfException;

    /** The engines programs can run on now: {@link #INTERPRETER}, then every installed host arch. */
    List<String> engines();

    // ---- maps ----

    /** {@code BPF_MAP_CREATE}, pinned at {@code path} (what holds it), as {@code bpftool map create} does. */
    MapInfo createMap(MapSpec spec, String path) throws BpfException;

    List<MapInfo> maps();

    MapInfo mapInfo(int id) throws BpfException;

    /** The map with {@code id}, for lookups and updates. */
    BpfMap map(int id) throws BpfException;

    // ---- pins ----

    void pinProgram(int id, String path) throws BpfException;

    void pinMap(int id, String path) throws BpfException;

    /** Removes a pin; the object goes when nothing else holds it. */
    void unpin(String path) throws BpfException;

    PinnedObject pinned(String path) throws BpfException;

    List<PinnedObject> pins();

    // ---- verifier, trace, probes ----

    /** Verifies the programs of an object (or just {@code program}) without loading them. */
    List<VerifyReport> verifyObject(String fileName, byte[] elf, String program, ProgramType type, int logLevel)
            throws BpfException;

    /** Verifies raw bytecode; lddw src 1/2 imm K names {@code mapIds.get(K)}. */
    VerifyReport verifyRaw(String name, ProgramType type, long[] insns, List<Integer> mapIds, int logLevel) throws BpfException;

    /** The {@code bpf_trace_printk} lines buffered, oldest first; with {@code consume}, removed as {@code trace_pipe} does. */
    List<String> trace(boolean consume);

    FeatureProbe probe();
}
