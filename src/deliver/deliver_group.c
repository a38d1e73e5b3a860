#include "deliver_group.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xalloc.h"

static const char *deliver_group_domain(const char *address)
{
    const char *at = strrchr(address, '@');
    return at ? at + 1 : "";
}

size_t deliver_group_split(const char *const *addresses, size_t n, size_t max_per_group,
                           struct deliver_group **groups_r)
{
    struct deliver_group *groups = NULL;
    size_t n_groups = 0;
    for (size_t i = 0; i < n; i++) {
        const char *domain = deliver_group_domain(addresses[i]);
        size_t g = 0;
        /* The latest group of this domain that still has room. */
        for (g = n_groups; g > 0; g--) {
            if (strcasecmp(groups[g - 1].domain, domain) == 0 && groups[g - 1].n < max_per_group)
                break;
        }
        if (g == 0) {
            groups = xreallocarray(groups, n_groups + 1, sizeof(groups[0]));
            groups[n_groups] = (struct deliver_group){domain, NULL, 0};
            g = ++n_groups;
        }
        struct deliver_group *grp = &groups[g - 1];
        grp->idx = xreallocarray(grp->idx, grp->n + 1, sizeof(grp->idx[0]));
        grp->idx[grp->n++] = i;
    }
    *groups_r = groups;
    return n_groups;
}

void deliver_group_free(struct deliver_group *groups, size_t n)
{
    for (size_t i = 0; groups != NULL && i < n; i++)
        free(groups[i].idx);
    free(groups);
}
