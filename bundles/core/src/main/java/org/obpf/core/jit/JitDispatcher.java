package org.obpf.core.jit;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import org.obpf.api.jit.BackendInfo;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.jit.JitRegistry;
import org.obpf.api.jit.NoSuchBackendException;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JIT dispatcher: tracks every {@link JitBackend} service by its {@code bpf.arch} property.
 * This replaces the kernel's link-time choice of one {@code bpf_int_jit_compile}: any number
 * of back-ends are live at once and come and go while the framework runs.
 */
// Immediate: it must be there to see back-ends arrive and leave, not only when first asked.
@Component(service = JitRegistry.class, immediate = true)
public final class JitDispatcher implements JitRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(JitDispatcher.class);

    private final BackendTable table = new BackendTable();

    @Reference(service = JitBackend.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            unbind = "removeBackend")
    void addBackend(JitBackend backend, ServiceReference<JitBackend> ref) {
        Bundle bundle = ref.getBundle();
        add(backend, ref.getProperty(JitBackend.ARCH), (Long) ref.getProperty(Constants.SERVICE_ID),
                ref.getProperty(Constants.SERVICE_RANKING),
                bundle == null ? "?" : bundle.getSymbolicName(),
                bundle == null ? "?" : bundle.getVersion().toString());
    }

    void removeBackend(JitBackend backend, ServiceReference<JitBackend> ref) {
        remove((Long) ref.getProperty(Constants.SERVICE_ID));
    }

    /** Registers a back-end; the framework-free part of {@link #addBackend}, also used by tests. */
    boolean add(JitBackend backend, Object archProperty, long serviceId, Object ranking, String bundle, String version) {
        if (!(archProperty instanceof String arch) || arch.isBlank()) {
            LOG.error("JIT back-end {} from bundle {} {} has no '{}' service property; ignored",
                    backend.getClass().getName(), bundle, version, JitBackend.ARCH);
            return false;
        }
        String own;
        try {
            own = backend.arch();
        } catch (RuntimeException e) {
            LOG.error("JIT back-end for arch {} from bundle {} failed to answer arch(); ignored", arch, bundle, e);
            return false;
        }
        if (!arch.equals(own)) {
            LOG.error("JIT back-end from bundle {} {} is registered with {}={} but its arch() is '{}'; ignored",
                    bundle, version, JitBackend.ARCH, arch, own);
            return false;
        }
        BackendInfo info = new BackendInfo(arch, bundle, version, serviceId,
                ranking instanceof Integer r ? r : 0, backend.needsZext(), backend.capabilities());
        table.add(new BackendTable.Entry(backend, info));
        LOG.info("JIT back-end arrived: arch={} from bundle {} {} (service {}, needsZext={}); {} back-end(s) for {}",
                arch, bundle, version, serviceId, info.needsZext(), table.count(arch), arch);
        return true;
    }

    void remove(long serviceId) {
        table.remove(serviceId).ifPresent(e -> {
            String arch = e.info().arch();
            int left = table.count(arch);
            LOG.info("JIT back-end departed: arch={} from bundle {} {} (service {}); {}", arch, e.info().bundle(),
                    e.info().bundleVersion(), serviceId,
                    left == 0 ? "no back-end left for " + arch : left + " back-end(s) left for " + arch);
        });
    }

    @Override
    public JitBackend backend(String arch) throws NoSuchBackendException {
        Objects.requireNonNull(arch, "arch");
        Optional<JitBackend> b = table.best(arch);
        if (b.isEmpty()) throw new NoSuchBackendException(arch, table.archs());
        return b.get();
    }

    @Override
    public Optional<JitBackend> find(String arch) {
        return table.best(arch);
    }

    @Override
    public SortedSet<String> archs() {
        return table.archs();
    }

    @Override
    public List<BackendInfo> backends() {
        return table.infos();
    }
}
