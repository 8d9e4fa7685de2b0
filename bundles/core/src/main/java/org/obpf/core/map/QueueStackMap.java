package org.obpf.core.map;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;

/**
 * {@code BPF_MAP_TYPE_QUEUE} (FIFO) and {@code BPF_MAP_TYPE_STACK} (LIFO)
 * ({@code kernel/bpf/queue_stack_maps.c}): no key; values are copied in on push and out on pop
 * or peek, so programs never hold pointers into the map. A ring of {@code max_entries + 1} slots
 * with head and tail as in the kernel; pushing onto a full map fails with {@code E2BIG} unless
 * {@code BPF_EXIST} asks to overwrite the oldest value.
 */
public final class QueueStackMap extends AbstractBpfMap {
    private final boolean stack;
    private final int size;
    private final MemorySegment elements;
    private int head;
    private int tail;

    QueueStackMap(MapSpec spec) throws BpfException {
        super(validate(spec), 0);
        this.stack = spec.type() == MapType.STACK;
        this.size = spec.maxEntries() + 1;
        this.elements = allocate((long) size * spec.valueSize());
    }

    private static MapSpec validate(MapSpec spec) throws BpfException {
        // queue_stack_map_alloc_check
        if (spec.maxEntries() == 0 || spec.keySize() != 0 || spec.valueSize() == 0) {
            throw new BpfException(Errno.EINVAL, "map " + spec.name() + ": " + spec.type().kernelName()
                    + " needs key size 0, value size > 0 and max_entries > 0 (got key " + spec.keySize() + ", value "
                    + spec.valueSize() + ", max_entries " + spec.maxEntries() + ")");
        }
        if ((long) spec.maxEntries() * spec.valueSize() > Maps.MAX_MAP_BYTES) {
            throw new BpfException(Errno.E2BIG, "map " + spec.name() + ": too large");
        }
        return spec;
    }

    private boolean isEmpty() { return head == tail; }

    private boolean isFull() {
        int h = head + 1;
        if (h >= size) h = 0;
        return h == tail;
    }

    private long slot(int i) {
        return elements.address() + (long) i * spec.valueSize();
    }

    @Override
    public synchronized long pushElem(MemorySegment value, long flags) {
        if ((flags & BPF_NOEXIST) != 0 || flags > BPF_EXIST || flags < 0) return -Errno.EINVAL.value();
        if (isFull()) {
            if (flags != BPF_EXIST) return -Errno.E2BIG.value();
            // overwrite the oldest value
            if (++tail >= size) tail = 0;
        }
        MemorySegment.copy(value, 0, MEM, slot(head), spec.valueSize());
        if (++head >= size) head = 0;
        return 0;
    }

    private long take(MemorySegment out, boolean delete) {
        if (isEmpty()) {
            out.asSlice(0, spec.valueSize()).fill((byte) 0); // the kernel clears the value on -ENOENT
            return -Errno.ENOENT.value();
        }
        int i;
        if (stack) {
            i = head - 1;
            if (i < 0) i = size - 1;
            if (delete) head = i;
        } else {
            i = tail;
            if (delete && ++tail >= size) tail = 0;
        }
        MemorySegment.copy(MEM, slot(i), out, 0, spec.valueSize());
        return 0;
    }

    @Override public synchronized long popElem(MemorySegment value) { return take(value, true); }
    @Override public synchronized long peekElem(MemorySegment value) { return take(value, false); }

    @Override public long lookupElem(MemorySegment key) { return 0; }
    @Override public long updateElem(MemorySegment key, MemorySegment value, long flags) { return -Errno.EINVAL.value(); }
    @Override public long deleteElem(MemorySegment key) { return -Errno.EINVAL.value(); }
    @Override public MemorySegment grantRegion(long valueAddress) { return null; }

    // ---- host side: lookup = peek, update = push, lookup_and_delete = pop ----

    private byte[] take(byte[] key, boolean delete) throws BpfException {
        requireLive();
        checkKey(key);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(spec.valueSize(), 8);
            long rc;
            synchronized (this) {
                rc = take(out, delete);
            }
            if (rc == -Errno.ENOENT.value()) throw error(Errno.ENOENT, spec.type().kernelName() + " is empty");
            return out.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        }
    }

    @Override protected byte[] lookupHost(byte[] key) throws BpfException { return take(key, false); }
    @Override protected byte[] lookupAndDeleteHost(byte[] key) throws BpfException { return take(key, true); }

    @Override
    protected void updateHost(byte[] key, byte[] value, long flags) throws BpfException {
        requireLive();
        checkKey(key);
        checkValue(value);
        try (Arena a = Arena.ofConfined()) {
            long rc = pushElem(nativeCopy(a, value), flags);
            if (rc == -Errno.E2BIG.value()) throw error(Errno.E2BIG, spec.type().kernelName() + " is full (" + spec.maxEntries() + " values)");
            if (rc == -Errno.EINVAL.value()) throw error(Errno.EINVAL, "invalid push flags 0x" + Long.toHexString(flags));
            check(rc, "push");
        }
    }

    @Override
    protected void deleteHost(byte[] key) throws BpfException {
        throw error(Errno.EINVAL, spec.type().kernelName() + " maps have no delete; pop with lookup_and_delete");
    }

    @Override
    protected byte[] nextKeyHost(byte[] key) throws BpfException {
        throw error(Errno.EINVAL, spec.type().kernelName() + " maps have no keys");
    }
}
