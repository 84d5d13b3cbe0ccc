"""Reads a running jiedao through an independent Open311 client library (georeport, from PyPI):
the service list, a service definition, and requests created through jiedao's own API, in JSON
and in XML. Usage: open311_client.py ROOT JURISDICTION ID[,ID...]; prints "ok" when all hold."""

import sys

from georeport import GeoReport


def as_list(value):
    """xmltodict gives one element as a dict and several as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def main():
    root, jurisdiction, ids = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
    for output in ("json", "xml"):
        client = GeoReport(root, jurisdiction=jurisdiction, output_format=output)

        services = as_list(client.get_service_list())
        codes = [s["service_code"] for s in services]
        assert "B0101" in codes, f"{output}: B0101 not among {len(codes)} services"
        cover = next(s for s in services if s["service_code"] == "B0101")
        assert str(cover["metadata"]).lower() == "true", cover

        definition = client.get_service_definition("B0101")
        attributes = definition["attributes"]
        if output == "xml":
            attributes = as_list(attributes["attribute"])
        first = attributes[0]
        assert first["code"] == "cover_state", first
        assert first["datatype"] == "singlevaluelist", first
        values = first["values"] if output == "json" else as_list(first["values"]["value"])
        assert [v["key"] for v in values][:2] == ["missing", "broken"], values

        found = as_list(client.get_service_requests(service_request_id=",".join(ids)))
        got = sorted(r["service_request_id"] for r in found)
        assert got == sorted(ids), f"{output}: {got} != {ids}"
        for request in found:
            assert request["status"] == "open", request
            assert request["requested_datetime"].endswith("+08:00"), request

        one = client.get_service_request(ids[0])
        one = as_list(one)[0] if output == "xml" else one
        assert one["service_request_id"] == ids[0], one

        listed = as_list(client.get_service_requests(service_code="B0101", status="open"))
        assert ids[0] in [r["service_request_id"] for r in listed], listed
        print(f"{output}: {len(services)} services, {len(found)} requests read")
    print("ok")


if __name__ == "__main__":
    main()
