package org.obpf.api.offload;

import java.util.List;
import org.obpf.api.jit.LinkedImage;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.prog.ProgramType;

/** What the host sends to a device: already linked (static offload) or relocatable (dynamic offload). */
public sealed interface DeviceImage {
    String name();

    /** Linked by the host against the device's addresses; the device loads it as is. */
    record Static(String name, LinkedImage image) implements DeviceImage {}

    /** Relocations still open; the device's loader binds them at a load base it picks. */
    record Dynamic(String name, ProgramType type, RelocatableImage image,
                   List<DeviceMap> maps) implements DeviceImage {
        public Dynamic {
            maps = List.copyOf(maps);
        }
    }
}
