"""The plot RPCs (SavePlot, GetPlot, ListPlots, DeletePlot) through a real server, on
each store: the same rules as the HTTP API, PlotChanged events, and bad input that
changes nothing."""

from __future__ import annotations

import pytest

from streamvis.client import Client
from streamvis.model import events as ev
from streamvis.model.errors import InvalidArgumentError, NotFoundError, ResourceExhaustedError
from streamvis.testing import ServerProcess
from streamvis.v1 import service_pb2 as pb


def line_spec(series: str, x: str, y: str, **extra: object) -> dict[str, object]:
    return {"kind": "line", "datasets": [{"series": series, "bindings": {"x": x, "y": y}}],
            **extra}


@pytest.fixture
def schema(client: Client, unique) -> dict[str, str]:
    names = {"step": unique("step"), "loss": unique("loss"), "opt": unique("opt")}
    client.create_field(names["step"], "int")
    client.create_field(names["loss"], "float")
    client.create_field(names["opt"], "string")
    names["series"] = unique("train")
    client.create_series(names["series"], [names["step"], names["loss"], names["opt"]])
    return names


def test_plots_are_saved_read_listed_replaced_and_deleted(client: Client, unique, schema):
    name = unique("loss_plot")
    spec = line_spec(schema["series"], schema["step"], schema["loss"],
                     scales={"y": "log"}, title="training loss", palette="viridis")
    saved = client.save_plot(name, spec)
    assert saved == {**spec, "name": name}  # extra keys are kept as given
    assert client.plot(name) == saved
    assert saved in client.plots()
    names = [p["name"] for p in client.plots()]
    assert names == sorted(names)

    replaced = client.save_plot(name, {**spec, "kind": "scatter"})
    assert client.plot(name)["kind"] == "scatter" == replaced["kind"]
    assert [p["name"] for p in client.plots()].count(name) == 1

    assert client.delete_plot(name) == replaced
    assert name not in [p["name"] for p in client.plots()]
    with pytest.raises(NotFoundError, match=name):
        client.plot(name)
    with pytest.raises(NotFoundError, match=f"no plot named {name!r}"):
        client.delete_plot(name)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"kind": "pie"}, "plot kind 'pie' is not one of line, scatter, histogram"),
        ({"datasets": []}, 'needs "datasets"'),
        ({"name": "other"}, "named 'other' but was sent to be saved as"),
        ({"scales": {"y": "sqrt"}}, 'scales.y = \'sqrt\': use "lin" or "log"'),
        ({"datasets": [{"series": "s", "bindings": {"x": "a"}}]}, "needs a field bound to y"),
        ({"datasets": [{"series": "s", "bindings": {"x": "a", "y": "b", "hue": "c"}}]},
         "unknown role 'hue'"),
    ],
)
def test_bad_specs_are_refused_and_change_nothing(client: Client, unique, schema, change,
                                                  problem):
    name = unique("bad")
    spec = {**line_spec(schema["series"], schema["step"], schema["loss"]), **change}
    with pytest.raises(InvalidArgumentError, match=problem):
        client.save_plot(name, spec)
    assert name not in [p["name"] for p in client.plots()]


def test_binding_types_follow_the_role_rules(client: Client, unique, schema):
    name = unique("typed")
    on_y = line_spec(schema["series"], schema["step"], schema["opt"])
    with pytest.raises(InvalidArgumentError, match=f"y takes float or int fields; "
                       f"'{schema['opt']}' is string"):
        client.save_plot(name, on_y)
    grouped = line_spec(schema["series"], schema["step"], schema["loss"])
    grouped["datasets"][0]["bindings"]["group"] = schema["opt"]  # type: ignore[index]
    client.save_plot(name, grouped)
    # A field the server does not know (yet, or any longer) is let through.
    client.save_plot(unique("later"), line_spec("not_yet", "x_later", "y_later"))


def test_raw_requests_with_bad_json_or_names_are_refused(client: Client, unique):
    with pytest.raises(InvalidArgumentError, match="not valid JSON"):
        client.call(client.stub.SavePlot, pb.SavePlotRequest(name=unique("j"), spec_json="{"))
    with pytest.raises(InvalidArgumentError, match="must be a JSON object"):
        client.call(client.stub.SavePlot, pb.SavePlotRequest(name=unique("j"), spec_json="[]"))
    with pytest.raises(InvalidArgumentError, match="plot"):
        client.call(client.stub.GetPlot, pb.GetPlotRequest(name=""))


def test_too_large_a_spec_is_refused(client: Client, unique, schema):
    spec = line_spec(schema["series"], schema["step"], schema["loss"], note="x" * 70_000)
    with pytest.raises(ResourceExhaustedError, match="bytes"):
        client.save_plot(unique("big"), spec)


def test_saving_and_deleting_send_plot_changed(client: Client, unique, schema, watch):
    stream = watch(client)
    name = unique("watched")
    client.save_plot(name, line_spec(schema["series"], schema["step"], schema["loss"]))
    client.delete_plot(name)
    events = [e for e in stream.take(2) if isinstance(e, ev.PlotChanged)]
    assert events == [ev.PlotChanged(name, deleted=False), ev.PlotChanged(name, deleted=True)]


def test_plots_saved_over_grpc_are_served_over_http(server: ServerProcess, client: Client,
                                                    unique, schema):
    import httpx  # noqa: PLC0415 - only this test speaks HTTP

    name = unique("both")
    client.save_plot(name, line_spec(schema["series"], schema["step"], schema["loss"]))
    got = httpx.get(f"{server.web_url}api/plots/{name}", timeout=10)
    assert got.status_code == 200
    assert got.json() == client.plot(name)
    put = httpx.put(f"{server.web_url}api/plots/{name}", timeout=10,
                    json=line_spec(schema["series"], schema["step"], schema["loss"],
                                   title="from http"))
    assert put.status_code == 200
    assert client.plot(name)["title"] == "from http"
