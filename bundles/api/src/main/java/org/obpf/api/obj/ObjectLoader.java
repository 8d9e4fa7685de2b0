package org.obpf.api.obj;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads BPF ELF relocatable objects ({@code clang -target bpf -c}) the way libbpf opens them:
 * program sections, {@code .text} sub-programs, BTF-defined and legacy maps, global data,
 * license and version. The result is pure data: nothing is created, nothing is verified.
 * Registered as an OSGi service by the loader bundle; it keeps no state between calls.
 */
public interface ObjectLoader {

    /**
     * Loads an object from its bytes.
     *
     * @param name the file name ({@code xdp_parse_udp.o}) or another name; the object's name
     *             is its last path element up to the first '.', and names the global-data maps
     * @throws LoadException the file is not a BPF object, is malformed, or uses a feature that
     *                       is not supported; the message names the problem, section and instruction
     */
    BpfObject load(String name, byte[] elf) throws LoadException;

    /** Loads the object in {@code file}; its name comes from the file name. */
    default BpfObject load(Path file) throws LoadException, IOException {
        Path fileName = file.getFileName();
        return load(fileName == null ? file.toString() : fileName.toString(), Files.readAllBytes(file));
    }
}
