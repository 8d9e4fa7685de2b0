package org.obpf.core.registry;

import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.map.BpfMap;
import org.obpf.api.map.MapSpec;
import org.obpf.api.offload.DeviceMap;
import org.obpf.core.map.AbstractBpfMap;

/**
 * A map bound to an offload device (the kernel's {@code map_ifindex}): its values live in device
 * memory and host-side operations go through the device. The host map only gives the id and the
 * address the prelinker binds before {@code DeviceInsns} turns it back into a map symbol. Once the
 * device has gone, every operation fails with ENODEV and the one-line state.
 */
final class DeviceBoundMap implements BpfMap {
    private final AbstractBpfMap host;
    final String device;
    private final DeviceMap map;
    /** Why it can no longer be used, or null. */
    volatile String gone;

    DeviceBoundMap(AbstractBpfMap host, String device, DeviceMap map) {
        this.host = host;
        this.device = device;
        this.map = map;
    }

    DeviceMap device() {
        return map;
    }

    private DeviceMap live() throws BpfException {
        String g = gone;
        if (g != null) throw new BpfException(Errno.ENODEV, "map " + host.id() + ": " + g);
        return map;
    }

    @Override
    public MapSpec spec() {
        return host.spec();
    }

    @Override
    public int id() {
        return host.id();
    }

    @Override
    public long address() {
        return map.deviceAddress();
    }

    @Override
    public int possibleCpus() {
        return 1;
    }

    @Override
    public int hostValueSize() {
        return host.spec().valueSize();
    }

    @Override
    public byte[] lookup(byte[] key) throws BpfException {
        return live().lookup(key);
    }

    @Override
    public void update(byte[] key, byte[] value, long flags) throws BpfException {
        live().update(key, value, flags);
    }

    @Override
    public void delete(byte[] key) throws BpfException {
        live().delete(key);
    }

    @Override
    public byte[] lookupAndDelete(byte[] key) throws BpfException {
        DeviceMap m = live();
        byte[] v = m.lookup(key);
        m.delete(key);
        return v;
    }

    @Override
    public byte[] nextKey(byte[] key) throws BpfException {
        return live().nextKey(key);
    }

    /** Frees the device memory, unless the device took it with it. */
    void close() {
        if (gone != null) return;
        try {
            map.close();
        } catch (RuntimeException e) {
            // a device bug must not take the registry down; its memory is its own
        }
    }
}
