package org.obpf.api.jit;

/**
 * A JIT back-end: code generation for one architecture, and nothing else. Registered as an OSGi
 * service with the property {@value #ARCH} naming the architecture ({@code x86_64},
 * {@code riscv64}, {@code riscv32}, {@code nfp}, or a research back-end's own name); several
 * are live at once, which replaces the kernel's weak-symbol {@code bpf_int_jit_compile}.
 *
 * <p>A back-end keeps no global state and does no runtime work: no executable memory, no cache
 * flushing, no calls into the code. {@link #compile} turns a program into code plus relocations;
 * {@link #link} binds them to addresses. Both may be called from many threads at once.
 */
public interface JitBackend {

    /** Service property naming the architecture. */
    String ARCH = "bpf.arch";

    /** The architecture this back-end generates code for; equal to its {@value #ARCH} property. */
    String arch();

    /**
     * True if the code it generates for 32-bit operations does not zero the upper half of the
     * destination by itself, so the verifier must insert explicit zero extension (the kernel's
     * {@code bpf_jit_needs_zext}).
     */
    boolean needsZext();

    /** What it can compile: instruction features, program types, helpers, size. */
    Capabilities capabilities();

    /**
     * Generates position-independent code with every external reference recorded as a
     * relocation.
     *
     * @throws JitException naming the instruction and the reason when the program cannot be compiled
     */
    RelocatableImage compile(CompileRequest request) throws JitException;

    /**
     * Applies every relocation of {@code image} for the load address and symbol addresses in
     * {@code symbols}. The same image may be linked any number of times at different addresses.
     *
     * @throws LinkException naming each symbol that is missing and each value out of a field's range
     */
    LinkedImage link(RelocatableImage image, SymbolTable symbols) throws LinkException;
}
