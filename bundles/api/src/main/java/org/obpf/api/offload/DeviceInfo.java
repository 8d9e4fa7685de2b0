package org.obpf.api.offload;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.obpf.api.map.MapType;
import org.obpf.api.prog.ProgramType;

/**
 * What a device exposes to the JIT and to the offload query.
 *
 * @param name           its {@code bpf.offload.dev}
 * @param arch           the {@code bpf.arch} of the back-end that generates its code
 * @param regions        memory regions the code may address
 * @param helperAddresses firmware helper routines: helper id to device address
 * @param mapTypes       map types it can hold in its memory
 * @param programTypes   program types it runs
 * @param codeBytes      instruction memory available for programs, in bytes
 * @param staticOffload  true if it loads images linked by the host against its addresses
 * @param dynamicOffload true if its own loader relocates a relocatable image at a base it picks
 * @param firmwareSymbols firmware routines by runtime symbol name ({@link FirmwareAtomics}), to device address
 * @param jitExtensions  what the host back-end is to be asked for ({@code CompileOptions.extensions()})
 *                       when it generates this device's code
 */
public record DeviceInfo(String name, String arch, List<MemoryRegion> regions, Map<Integer, Long> helperAddresses,
                         Set<MapType> mapTypes, Set<ProgramType> programTypes, long codeBytes,
                         boolean staticOffload, boolean dynamicOffload, Map<String, Long> firmwareSymbols,
                         Set<String> jitExtensions) {
    public DeviceInfo {
        firmwareSymbols = Map.copyOf(firmwareSymbols);
        jitExtensions = Set.copyOf(jitExtensions);
        regions = List.copyOf(regions);
        helperAddresses = Map.copyOf(helperAddresses);
        mapTypes = Set.copyOf(mapTypes);
        programTypes = Set.copyOf(programTypes);
    }

    /** A device without firmware routines beyond its helpers and without JIT options. */
    public DeviceInfo(String name, String arch, List<MemoryRegion> regions, Map<Integer, Long> helperAddresses,
                      Set<MapType> mapTypes, Set<ProgramType> programTypes, long codeBytes,
                      boolean staticOffload, boolean dynamicOffload) {
        this(name, arch, regions, helperAddresses, mapTypes, programTypes, codeBytes, staticOffload, dynamicOffload,
                Map.of(), Set.of());
    }
}
