package org.obpf.api.jit;

import java.util.Set;

/**
 * Per-program code generation choices.
 *
 * @param blindConstants rewrite immediates as the kernel's {@code bpf_jit_blind_constants} does
 * @param sandbox        bounds-check every load and store against the regions the program may
 *                       touch, for programs that were not verified
 * @param compressed     use compressed encodings where the ISA has them (RISC-V C)
 * @param extensions     optional ISA extensions the target has ({@code zba}, {@code zbb}, ...)
 */
public record CompileOptions(boolean blindConstants, boolean sandbox, boolean compressed, Set<String> extensions) {
    public static final CompileOptions DEFAULT = new CompileOptions(false, false, true, Set.of());

    public CompileOptions {
        extensions = Set.copyOf(extensions);
    }

    public CompileOptions withBlindConstants(boolean on) {
        return new CompileOptions(on, sandbox, compressed, extensions);
    }

    public CompileOptions withSandbox(boolean on) {
        return new CompileOptions(blindConstants, on, compressed, extensions);
    }

    public CompileOptions withCompressed(boolean on) {
        return new CompileOptions(blindConstants, sandbox, on, extensions);
    }

    public CompileOptions withExtensions(Set<String> ext) {
        return new CompileOptions(blindConstants, sandbox, compressed, ext);
    }
}
