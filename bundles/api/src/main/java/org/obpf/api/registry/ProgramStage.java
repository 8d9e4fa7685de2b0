package org.obpf.api.registry;

import java.util.Objects;

/**
 * A program's instruction slots after one pipeline stage ({@code original},
 * {@code replace_map_fd_with_map_ptr}, {@code convert_ctx_accesses}, {@code fixup_bpf_call},
 * {@code resolve_subprogs}), for {@code prog dump xlated}.
 */
public record ProgramStage(String name, long[] insns) {
    public ProgramStage {
        Objects.requireNonNull(name, "name");
        insns = insns.clone();
    }

    @Override
    public long[] insns() {
        return insns.clone();
    }
}
