"""The resource sampler: cgroup files parsed, fake cgroup trees read, the node judged on them."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.health.report import Basis, Resources, judge
from mediator_actors.health.resources import (
    V1_UNLIMITED,
    CgroupFormatError,
    CgroupTree,
    ResourceSampler,
    parse_cfs_quota,
    parse_cpu_max,
    parse_limit_in_bytes,
    parse_memory_max,
    parse_memory_stat,
    parse_proc_cgroup,
)

MB = 1024**2
GB = 1024**3

# --- parsers ---------------------------------------------------------------------------------

_ints = st.integers(min_value=1, max_value=10**12)
_byte_counts = st.integers(min_value=0, max_value=V1_UNLIMITED - 1)


@given(_ints, _ints)
def test_cpu_max_reads_quota_over_period_as_cores(quota, period):
    assert parse_cpu_max(f"{quota} {period}\n") == quota / period


@given(_ints)
def test_cpu_max_without_a_quota_is_none(period):
    assert parse_cpu_max(f"max {period}\n") is None


@given(st.text(max_size=40))
def test_cpu_max_rejects_anything_else_with_a_format_error_only(text):
    try:
        cores = parse_cpu_max(text)
    except CgroupFormatError:
        return
    assert cores is None or cores > 0


@pytest.mark.parametrize("text", ["", "max", "0 100000", "-5 100000", "50000 0", "1_0 100", "٣ 1"])
def test_cpu_max_malformed_examples(text):
    with pytest.raises(CgroupFormatError, match=r"cpu\.max"):
        parse_cpu_max(text)


@given(_ints, _ints)
def test_cfs_quota_reads_quota_over_period(quota, period):
    assert parse_cfs_quota(f"{quota}\n", f"{period}\n") == quota / period


@given(_ints)
def test_cfs_quota_minus_one_is_no_quota(period):
    assert parse_cfs_quota("-1\n", f"{period}\n") is None


@given(st.text(max_size=20), st.text(max_size=20))
def test_cfs_quota_rejects_anything_else_with_a_format_error_only(quota, period):
    try:
        cores = parse_cfs_quota(quota, period)
    except CgroupFormatError:
        return
    assert cores is None or cores > 0


@given(_byte_counts)
def test_memory_limits_read_bytes(value):
    assert parse_memory_max(f"{value}\n") == value
    assert parse_limit_in_bytes(f"{value}\n") == value


def test_memory_limits_read_no_limit():
    assert parse_memory_max("max\n") is None
    assert parse_limit_in_bytes("9223372036854771712\n") is None  # the kernel's "unlimited"
    assert parse_limit_in_bytes("-1\n") is None


@given(st.text(max_size=30))
def test_memory_limits_reject_anything_else_with_a_format_error_only(text):
    for parse in (parse_memory_max, parse_limit_in_bytes):
        try:
            value = parse(text)
        except CgroupFormatError:
            continue
        assert value is None or value >= 0


_keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=20)


@given(st.dictionaries(_keys, st.integers(min_value=0, max_value=2**63)))
def test_memory_stat_round_trips(stats):
    text = "".join(f"{key} {value}\n" for key, value in stats.items())
    assert parse_memory_stat(text) == stats


@given(st.text(max_size=80))
def test_memory_stat_rejects_anything_else_with_a_format_error_only(text):
    with contextlib.suppress(CgroupFormatError):
        assert all(isinstance(v, int) for v in parse_memory_stat(text).values())


_controller = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_=", min_size=1, max_size=10)
_cgroup_path = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.:", min_size=1, max_size=12),
    max_size=4,
).map(lambda parts: "/" + "/".join(parts))


@given(
    st.lists(
        st.tuples(st.integers(1, 20), st.lists(_controller, min_size=1, max_size=3), _cgroup_path),
        max_size=6,
    ),
    st.none() | _cgroup_path,
)
def test_proc_cgroup_round_trips_v1_lines_and_the_v2_entry(v1, v2):
    lines = [f"{hid}:{','.join(names)}:{path}" for hid, names, path in v1]
    if v2 is not None:
        lines.append(f"0::{v2}")
    parsed = parse_proc_cgroup("\n".join(lines) + "\n")
    expected: dict[str, str] = {}
    for _, names, path in v1:
        for name in names:
            expected.setdefault(name, path)
    if v2 is not None:
        expected.setdefault("", v2)
    assert parsed == expected


@given(st.text(max_size=200))
def test_proc_cgroup_never_raises(text):
    for path in parse_proc_cgroup(text).values():
        assert path.startswith("/")


# --- fake cgroup trees -----------------------------------------------------------------------


def write(root: Path, files: dict[str, str]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


def v2_tree(tmp_path: Path, files: dict[str, str], member: str = "/") -> CgroupTree:
    root = tmp_path / "cgroup"
    write(root, {"cgroup.controllers": "cpu memory io\n", **files})
    membership = tmp_path / "proc-self-cgroup"
    membership.write_text(f"0::{member}\n")
    return CgroupTree(root, membership=membership)


def v1_tree(tmp_path: Path, files: dict[str, str], membership_text: str) -> CgroupTree:
    root = tmp_path / "cgroup"
    root.mkdir(parents=True, exist_ok=True)
    write(root, files)
    membership = tmp_path / "proc-self-cgroup"
    membership.write_text(membership_text)
    return CgroupTree(root, membership=membership)


def test_v2_reads_the_process_cgroup_and_the_tightest_ancestor(tmp_path):
    tree = v2_tree(
        tmp_path,
        {
            "kubepods/cpu.max": "200000 100000\n",
            "kubepods/memory.max": f"{4 * GB}\n",
            "kubepods/memory.current": f"{GB}\n",
            "kubepods/pod1/cpu.max": "max 100000\n",
            "kubepods/pod1/memory.max": f"{512 * MB}\n",
            "kubepods/pod1/memory.current": f"{400 * MB}\n",
            "kubepods/pod1/memory.stat": f"anon {250 * MB}\ninactive_file {100 * MB}\n",
        },
        member="/kubepods/pod1",
    )
    assert tree.version() is Basis.CGROUP_V2
    cpu = tree.cpu()
    assert cpu is not None
    assert (cpu.cores, cpu.version) == (2.0, Basis.CGROUP_V2)
    memory = tree.memory()
    assert memory is not None
    # The pod is the fuller (300 of 512 MiB against 1 of 4 GiB); the page cache the kernel
    # reclaims first does not count.
    assert (memory.limit_bytes, memory.used_bytes) == (512 * MB, 300 * MB)


def test_v2_memory_is_judged_on_the_fullest_level_a_parent_shared_with_siblings_too(tmp_path):
    tree = v2_tree(
        tmp_path,
        {
            "kubepods/memory.max": f"{GB}\n",
            "kubepods/memory.current": f"{1000 * MB}\n",
            "kubepods/pod1/memory.max": f"{512 * MB}\n",
            "kubepods/pod1/memory.current": f"{100 * MB}\n",
        },
        member="/kubepods/pod1",
    )
    memory = tree.memory()
    assert memory is not None
    assert (memory.limit_bytes, memory.used_bytes) == (GB, 1000 * MB)
    # A limit above the host's RAM never binds first: the pod's own is then the one.
    memory = tree.memory(host_total=GB - 1)
    assert memory is not None
    assert memory.limit_bytes == 512 * MB


def test_v2_without_limits_has_none(tmp_path):
    tree = v2_tree(
        tmp_path,
        {"app/cpu.max": "max 100000\n", "app/memory.max": "max\n", "app/memory.current": "7\n"},
        member="/app",
    )
    assert tree.cpu() is None
    assert tree.memory() is None


def test_v2_root_cgroup_has_no_limit_files(tmp_path):
    tree = v2_tree(tmp_path, {})
    assert tree.version() is Basis.CGROUP_V2
    assert tree.cpu() is None
    assert tree.memory() is None


def test_a_host_side_path_missing_inside_the_container_falls_back_to_the_mount(tmp_path):
    # Docker without a cgroup namespace: /proc/self/cgroup names /docker/<id>, but the mount
    # is the container's own cgroup.
    tree = v2_tree(
        tmp_path,
        {"cpu.max": "50000 100000\n", "memory.max": f"{GB}\n", "memory.current": f"{GB // 4}\n"},
        member="/docker/0123abcd",
    )
    cpu, memory = tree.cpu(), tree.memory()
    assert cpu is not None
    assert cpu.cores == 0.5
    assert memory is not None
    assert (memory.limit_bytes, memory.used_bytes) == (GB, GB // 4)


def test_a_path_that_leaves_the_mount_is_not_followed(tmp_path):
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "cpu.max").write_text("1000 100000\n")
    tree = v2_tree(tmp_path, {"cpu.max": "300000 100000\n"}, member="/../outside")
    cpu = tree.cpu()
    assert cpu is not None
    assert cpu.cores == 3.0


def test_v1_reads_comounted_cpu_and_memory_controllers(tmp_path):
    tree = v1_tree(
        tmp_path,
        {
            "cpu,cpuacct/docker/abc/cpu.cfs_quota_us": "150000\n",
            "cpu,cpuacct/docker/abc/cpu.cfs_period_us": "100000\n",
            "cpu,cpuacct/cpu.cfs_quota_us": "-1\n",
            "cpu,cpuacct/cpu.cfs_period_us": "100000\n",
            "memory/docker/abc/memory.limit_in_bytes": f"{GB}\n",
            "memory/docker/abc/memory.usage_in_bytes": f"{600 * MB}\n",
            "memory/docker/abc/memory.stat": f"cache 1\ntotal_inactive_file {100 * MB}\n",
            "memory/memory.limit_in_bytes": "9223372036854771712\n",
            "memory/memory.usage_in_bytes": f"{8 * GB}\n",
        },
        "12:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n1:name=systemd:/docker/abc\n",
    )
    assert tree.version() is Basis.CGROUP_V1
    cpu, memory = tree.cpu(), tree.memory()
    assert cpu is not None
    assert (cpu.cores, cpu.version) == (1.5, Basis.CGROUP_V1)
    assert memory is not None
    assert (memory.limit_bytes, memory.used_bytes, memory.version) == (
        GB,
        500 * MB,
        Basis.CGROUP_V1,
    )


def test_a_hybrid_host_without_v1_limits_reads_as_v1_without_limits(tmp_path):
    # Like the shared dev machine: v1 controllers, an empty "unified" v2 mount beside them.
    tree = v1_tree(
        tmp_path,
        {
            "unified/cgroup.controllers": "\n",
            "cpu/cpu.cfs_quota_us": "-1\n",
            "cpu/cpu.cfs_period_us": "100000\n",
            "memory/p/1/memory.limit_in_bytes": "9223372036854771712\n",
            "memory/p/1/memory.usage_in_bytes": "1413103616\n",
        },
        "4:memory:/p/1\n1:cpu:/\n0::/\n",
    )
    assert tree.version() is Basis.CGROUP_V1
    assert tree.cpu() is None
    assert tree.memory() is None


def test_no_cgroup_filesystem_means_no_limits(tmp_path):
    tree = CgroupTree(tmp_path / "absent", membership=tmp_path / "absent-too")
    assert tree.version() is None
    assert tree.cpu() is None
    assert tree.memory() is None


# --- the sampler -----------------------------------------------------------------------------


class FakeProcess:
    def __init__(self, percent_of_one_core: float, rss: int = 80 * MB) -> None:
        self.percent = percent_of_one_core
        self.rss = rss

    def cpu_percent(self) -> float:
        return self.percent

    def rss_bytes(self) -> int:
        return self.rss


class FakeHost:
    def __init__(self, *, cores: int = 4, total: int = 16 * GB, available: int = 12 * GB) -> None:
        self.cores, self.total, self.available = cores, total, available

    def cpu_count(self) -> int:
        return self.cores

    def memory(self) -> tuple[int, int]:
        return self.total, self.available

    def disk(self, path: str) -> tuple[int, int]:
        return 10 * GB, 100 * GB


def sampler(
    tree: CgroupTree, process: FakeProcess, host: FakeHost | None = None
) -> ResourceSampler:
    return ResourceSampler(
        disk_path="/", cgroups=tree, process=process, host=host if host is not None else FakeHost()
    )


def test_cpu_is_the_process_share_of_its_cgroup_quota(tmp_path):
    tree = v2_tree(tmp_path, {"cpu.max": "50000 100000\n"})
    r = sampler(tree, FakeProcess(45.0)).sample()
    assert (r.cpu_percent, r.cpu_cores, r.cpu_basis) == (90.0, 0.5, Basis.CGROUP_V2)


def test_without_a_quota_cpu_is_the_process_share_of_the_cores_it_may_use(tmp_path):
    tree = v2_tree(tmp_path, {})
    r = sampler(tree, FakeProcess(200.0), FakeHost(cores=4)).sample()
    assert (r.cpu_percent, r.cpu_cores, r.cpu_basis) == (50.0, 4.0, Basis.HOST)


def test_a_quota_above_the_cores_it_may_use_is_not_the_bound(tmp_path):
    tree = v2_tree(tmp_path, {"cpu.max": "800000 100000\n"})
    r = sampler(tree, FakeProcess(150.0), FakeHost(cores=2)).sample()
    assert (r.cpu_percent, r.cpu_cores, r.cpu_basis) == (75.0, 2.0, Basis.HOST)


def test_an_idle_node_is_healthy_whatever_else_the_host_runs(tmp_path):
    # The sampler has no port for the host's CPU at all: only the process's CPU time counts.
    tree = v2_tree(tmp_path, {})
    r = sampler(tree, FakeProcess(2.0), FakeHost(cores=2)).sample()
    assert r.cpu_percent == 1.0
    assert judge_status(r) == "healthy"


def judge_status(r: Resources) -> str:
    from dataclasses import replace

    from tests.edge import states

    return str(judge(replace(states.ready(), resources=r), now_ms=states.NOW)["status"])


def test_memory_is_judged_against_the_cgroup_limit_when_it_is_the_tighter(tmp_path):
    tree = v2_tree(
        tmp_path,
        {
            "memory.max": f"{512 * MB}\n",
            "memory.current": f"{500 * MB}\n",
            "memory.stat": f"inactive_file {10 * MB}\n",
        },
    )
    # The host has 14 of 16 GiB free: judged on the host this node would look fine.
    r = sampler(tree, FakeProcess(1.0), FakeHost(available=14 * GB)).sample()
    assert (r.memory_used_mb, r.memory_total_mb, r.memory_basis) == (490.0, 512.0, Basis.CGROUP_V2)
    assert r.basis is Basis.CGROUP_V2
    assert judge_status(r) == "unhealthy"  # 95.7 % of its limit


def test_a_cgroup_limit_above_the_hosts_ram_leaves_memory_judged_on_the_host(tmp_path):
    tree = v1_tree(
        tmp_path,
        {
            "memory/memory.limit_in_bytes": f"{64 * GB}\n",
            "memory/memory.usage_in_bytes": f"{GB}\n",
        },
        "3:memory:/\n",
    )
    r = sampler(tree, FakeProcess(1.0), FakeHost(total=16 * GB, available=12 * GB)).sample()
    assert (r.memory_used_mb, r.memory_total_mb, r.memory_basis) == (4096.0, 16384.0, Basis.HOST)
    assert r.basis is Basis.HOST


def test_cpu_above_its_quota_is_capped_at_100_and_only_degrades(tmp_path):
    tree = v2_tree(tmp_path, {"cpu.max": "100000 100000\n"})
    r = sampler(tree, FakeProcess(130.0)).sample()
    assert r.cpu_percent == 100.0
    assert judge_status(r) == "degraded"


def test_a_malformed_cgroup_file_falls_back_to_the_host_and_is_logged_once(tmp_path, caplog):
    tree = v2_tree(tmp_path, {"cpu.max": "lots\n"})
    s = sampler(tree, FakeProcess(100.0), FakeHost(cores=2))
    caplog.set_level(logging.WARNING, logger="mediator_actors.health.resources")
    first, second = s.sample(), s.sample()
    assert first == second
    assert (first.cpu_percent, first.cpu_basis) == (50.0, Basis.HOST)
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1
    assert "cpu.max" in warnings[0]


def test_the_real_sampler_reads_this_machine_within_bounds(tmp_path):
    # Ranges only: the machine's load must not decide whether this passes.
    r = ResourceSampler(disk_path=str(tmp_path)).sample()
    assert 0.0 <= r.cpu_percent <= 100.0
    assert r.cpu_cores > 0
    assert 0 < r.memory_used_mb <= r.memory_total_mb
    assert r.disk_total_gb > 0
    assert r.process_rss_mb > 0
    assert r.basis in set(Basis)
