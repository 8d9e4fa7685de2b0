package org.obpf.api.registry;

import java.util.List;
import java.util.Objects;
import org.obpf.api.prog.ProgramType;

/**
 * One loaded program, as {@code bpftool prog show} reports it, plus where it runs.
 *
 * @param id          the program's id, unique while the system runs (the kernel's prog id, from 1)
 * @param name        its function name
 * @param type        its program type
 * @param tag         the kernel-style tag: the first 8 bytes of the SHA-1 of its instructions as loaded, in hex
 * @param object      the object (file) it came from, or "" for raw bytecode
 * @param requested   the engine asked for at load: {@link BpfSystem#AUTO}, {@link BpfSystem#INTERPRETER} or an arch
 * @param engine      the engine new runs use now: {@link BpfSystem#INTERPRETER} or an arch
 * @param state       why it runs there, in words ({@code jited}, {@code interpreted},
 *                    {@code interpreted: back-end x86_64 departed})
 * @param xlatedInsns instruction slots after prelink
 * @param jitedBytes  bytes of machine code of the current engine (0 on the interpreter)
 * @param mapIds      ids of the maps it uses
 * @param pinned      paths it is pinned at
 * @param runs        runs completed so far (each repeat counts)
 * @param compiles    times it was JIT-compiled (at load and after each back-end return)
 * @param verifiedInsns instructions the verifier processed
 * @param loadedAtMillis when it was loaded (epoch milliseconds)
 */
public record ProgramInfo(int id, String name, ProgramType type, String tag, String object, String requested, String engine,
                          String state, int xlatedInsns, int jitedBytes, List<Integer> mapIds, List<String> pinned, long runs,
                          int compiles, int verifiedInsns, long loadedAtMillis) {
    public ProgramInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        mapIds = List.copyOf(mapIds);
        pinned = List.copyOf(pinned);
    }
}
