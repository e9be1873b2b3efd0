"""Decide from `az vm list-skus` JSON whether a VM size can be used in a region.

Usage: python3 check_sku.py SIZE LOCATION ZONES SKUS_JSON [ALL_SKUS_JSON]
  SKUS_JSON      output of: az vm list-skus --location L --size SIZE --resource-type virtualMachines
  ALL_SKUS_JSON  output of: az vm list-skus --location L --resource-type virtualMachines
                 (only read when SIZE is unavailable, to list alternatives)
  ZONES          space-separated zones the node pool will use ("" = regional)
Exit 0: available (warnings on stderr). Exit 1: unavailable, message on stderr.
Standard library only, so it runs wherever `az` does.
"""
import json
import sys


def _load(path):
    with open(path, encoding="utf-8") as f:
        text = f.read().strip()
    return json.loads(text) if text else []


def _capability(sku, name):
    for cap in sku.get("capabilities") or []:
        if cap.get("name") == name:
            return cap.get("value")
    return None


def blocking_restrictions(sku, location, zones):
    """Restrictions that stop this SKU from being deployed here ([] = usable)."""
    blocking = []
    for r in sku.get("restrictions") or []:
        info = r.get("restrictionInfo") or {}
        rtype = (r.get("type") or "").lower()
        reason = r.get("reasonCode") or "unknown reason"
        if rtype == "location":
            locs = [v.lower() for v in (r.get("values") or info.get("locations") or [location])]
            if location.lower() in locs:
                blocking.append(f"not available in location '{location}' ({reason})")
        elif rtype == "zone":
            restricted = set(info.get("zones") or [])
            offered = set()
            for li in sku.get("locationInfo") or []:
                if (li.get("location") or "").lower() == location.lower():
                    offered.update(li.get("zones") or [])
            wanted = set(zones) if zones else set()
            hit = sorted(wanted & restricted)
            if hit:
                blocking.append(f"not available in zones {','.join(hit)} ({reason})")
            elif not wanted:
                # Regional node pool: usable unless every offered zone is restricted.
                if offered and offered <= restricted:
                    blocking.append(
                        f"restricted in every zone of '{location}' "
                        f"({','.join(sorted(restricted))}; {reason})"
                    )
                else:
                    print(
                        f"warning: size is restricted in zones {','.join(sorted(restricted))} "
                        f"({reason}); a regional node pool may still land there",
                        file=sys.stderr,
                    )
    return blocking


def available_sizes(skus, location):
    out = []
    for sku in skus:
        if sku.get("resourceType", "virtualMachines") != "virtualMachines":
            continue
        if blocking_restrictions(sku, location, []):
            continue
        out.append(sku)
    return out


def main(argv):
    if len(argv) < 5:
        print(__doc__, file=sys.stderr)
        return 2
    size, location, zones_arg, skus_path = argv[1:5]
    all_path = argv[5] if len(argv) > 5 else ""
    zones = zones_arg.split()
    skus = [s for s in _load(skus_path) if (s.get("name") or "").lower() == size.lower()]
    # --size is a prefix filter; only the exact name counts.
    problems = []
    if not skus:
        problems.append(f"size '{size}' is not offered in location '{location}'")
    else:
        for sku in skus:
            problems.extend(blocking_restrictions(sku, location, zones))
    if not problems:
        print(f"ok: {size} is available in {location}" + (f" zones {zones_arg}" if zones else ""))
        return 0
    lines = [f"error: node size {size} cannot be used for this subscription in {location}:"]
    lines += [f"  - {p}" for p in problems]
    if all_path:
        alts = available_sizes(_load(all_path), location)

        def key(s):
            try:
                return (float(_capability(s, "vCPUs") or 0), float(_capability(s, "MemoryGB") or 0), s["name"])
            except ValueError:
                return (0.0, 0.0, s.get("name", ""))

        small = [s for s in sorted(alts, key=key) if 2 <= float(_capability(s, "vCPUs") or 0) <= 8]
        shown = small or sorted(alts, key=key)
        if shown:
            lines.append(f"Sizes available in {location} (2-8 vCPUs first; set AZ_NODE_SIZE to one):")
            for s in shown[:40]:
                lines.append(
                    f"  {s['name']:<28} vCPUs={_capability(s, 'vCPUs') or '?':<3} "
                    f"MemoryGB={_capability(s, 'MemoryGB') or '?'}"
                )
            if len(shown) > 40:
                lines.append(f"  ... and {len(shown) - 40} more")
        else:
            lines.append(f"No VM size at all is available to this subscription in {location}; try another AZ_LOCATION.")
    lines.append("Or pick another region with AZ_LOCATION. See https://aka.ms/azureskunotavailable")
    print("\n".join(lines), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
