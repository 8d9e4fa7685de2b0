package org.obpf.core.helper;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.obpf.api.helper.Helper;
import org.obpf.api.prog.ProgramType;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The helpers programs can call: the built-in ones plus every {@link Helper} service other
 * bundles register (research set-ups add their own). A program binds its helpers when it is
 * loaded, so the table a program gets is the one of that moment; a helper that leaves later does
 * not change programs already loaded.
 */
// Immediate: contributions must be tracked from the start, not only once someone asks.
@Component(service = HelperRegistry.class, immediate = true)
public final class HelperRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(HelperRegistry.class);

    /** Contributed helpers by service id: the order DS hands them over, oldest first. */
    private final Map<Long, Helper> contributed = new ConcurrentSkipListMap<>();

    @Reference(service = Helper.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeHelper")
    void addHelper(Helper helper, Map<String, Object> props) {
        Object id = props.get(Helper.ID);
        long serviceId = (Long) props.getOrDefault(Constants.SERVICE_ID, -1L);
        if (!(id instanceof Integer i) || i != helper.id() || i <= 0) {
            LOG.error("helper service {} ({}) has {}={}; it must be the helper's number {} (an Integer above 0); ignored",
                    serviceId, helper.name(), Helper.ID, id, helper.id());
            return;
        }
        if (HelperTable.builtins().lookup(i).isPresent()) {
            LOG.warn("helper service {} contributes number {} ({}), which is built in; the built-in one stays", serviceId, i, helper.name());
        }
        contributed.put(serviceId, helper);
        LOG.info("helper contributed: {} ({}), service {}", i, helper.name(), serviceId);
    }

    void removeHelper(Helper helper, Map<String, Object> props) {
        Helper gone = contributed.remove((Long) props.getOrDefault(Constants.SERVICE_ID, -1L));
        if (gone != null) LOG.info("helper withdrawn: {} ({})", gone.id(), gone.name());
    }

    /** The table a program of {@code type} loaded now gets: built-ins first, then contributions. */
    public HelperTable table(ProgramType type) {
        return HelperTable.builtins(type).compose(contributed());
    }

    /** The contributed helpers now registered, oldest first. */
    public List<Helper> contributed() {
        return new ArrayList<>(contributed.values());
    }
}
