package org.obpf.loader;

import org.obpf.api.obj.BpfObject;
import org.obpf.api.obj.LoadException;
import org.obpf.api.obj.ObjectLoader;
import org.obpf.loader.internal.ObjectReader;
import org.osgi.service.component.annotations.Component;

/** The object loader service: every call reads one file on its own, so it has no state. */
@Component(service = ObjectLoader.class)
public final class ElfObjectLoader implements ObjectLoader {

    @Override
    public BpfObject load(String name, byte[] elf) throws LoadException {
        return ObjectReader.read(name, elf);
    }
}
