-- ERP tables for `meltano run tap-postgres target-magento2` (README.md, "ERP from PostgreSQL to
-- Magento"), holding the records of the *.jsonl files beside this one for the sandbox store
-- `magento2-sandbox serve --seed 1 --orders 500`. The CREATE statements are kept by hand;
-- samples/generate_erp.py writes the INSERTs after them from the *.jsonl files.
-- tap-postgres 0.10.0 sends a json/jsonb column as the JSON value itself, an array as an array
-- (tap_postgres/client.py, json_to_jsonschema: any JSON type unless json_as_object), so an
-- order's lines and tracks travel as jsonb arrays; target-magento2 reads an empty `items` as
-- "everything left on the order".
CREATE SCHEMA erp;

-- Stock per source: one row per SKU and MSI source (status: 1 in stock, 0 out; none: by quantity).
CREATE TABLE erp.source_items (
  sku text, source_code text, quantity numeric NOT NULL, status integer,
  PRIMARY KEY (sku, source_code));

-- Invoices as ERPs keep them, a header and its lines; the view erp.invoices is what the tap reads:
-- one row per invoice, its lines as the jsonb array `items` ([] when it has none: the whole order).
CREATE TABLE erp.invoice_headers (
  reference text PRIMARY KEY, order_increment_id text NOT NULL, capture boolean, comment text);
CREATE TABLE erp.invoice_lines (
  reference text REFERENCES erp.invoice_headers, line integer, sku text NOT NULL,
  qty numeric NOT NULL, PRIMARY KEY (reference, line));
CREATE VIEW erp.invoices AS
  SELECT h.reference, h.order_increment_id, h.capture, h.comment,
    coalesce(jsonb_agg(jsonb_build_object('sku', l.sku, 'qty', l.qty) ORDER BY l.line)
      FILTER (WHERE l.sku IS NOT NULL), '[]') AS items
  FROM erp.invoice_headers h LEFT JOIN erp.invoice_lines l USING (reference)
  GROUP BY h.reference;

-- Parcels as a WMS hands them over, one row each: its lines and tracks as jsonb arrays.
CREATE TABLE erp.shipments (
  reference text PRIMARY KEY, order_increment_id text NOT NULL, notify boolean,
  items jsonb NOT NULL DEFAULT '[]', tracks jsonb NOT NULL DEFAULT '[]');

INSERT INTO erp.source_items (sku, source_code, quantity, status) VALUES
  ('SH00001-M-Black', 'default', 10, NULL),
  ('SH00001-M-Black', 'eu_warehouse', 10, NULL),
  ('SH00001-M-Blue', 'default', 17, NULL),
  ('SH00001-M-Blue', 'eu_warehouse', 17, NULL),
  ('JA00004-M-Blue', 'default', 24, NULL),
  ('JA00004-M-Blue', 'eu_warehouse', 24, NULL),
  ('JA00004-L-Green', 'default', 31, NULL),
  ('JA00004-L-Green', 'eu_warehouse', 31, NULL),
  ('PA00007-L-Green', 'default', 38, NULL),
  ('PA00007-L-Green', 'eu_warehouse', 38, NULL),
  ('PA00007-L-Black', 'default', 45, NULL),
  ('PA00007-L-Black', 'eu_warehouse', 45, NULL),
  ('PA00007-M-Green', 'default', 52, NULL),
  ('PA00007-M-Green', 'eu_warehouse', 52, NULL),
  ('CA00011', 'default', 59, NULL),
  ('CA00011', 'eu_warehouse', 59, NULL),
  ('TA00012-S-Black', 'default', 66, NULL),
  ('TA00012-S-Black', 'eu_warehouse', 66, NULL),
  ('TA00012-L-Black', 'default', 73, NULL),
  ('TA00012-L-Black', 'eu_warehouse', 73, NULL),
  ('BO00015', 'default', 80, NULL),
  ('BO00015', 'eu_warehouse', 80, NULL),
  ('JA00016-S-Green', 'default', 87, NULL),
  ('JA00016-S-Green', 'eu_warehouse', 87, NULL),
  ('JA00016-S-Blue', 'eu_warehouse', 0, 0);

INSERT INTO erp.invoice_headers (reference, order_increment_id, capture, comment) VALUES
  ('ERP-INV-000000003', '000000003', false, NULL),
  ('ERP-INV-000000014', '000000014', false, 'Invoiced from the ERP'),
  ('ERP-INV-000000018', '000000018', false, NULL),
  ('ERP-INV-000000021', '000000021', false, 'Invoiced from the ERP'),
  ('ERP-INV-000000034', '000000034', false, NULL),
  ('ERP-INV-000000047', '000000047', false, 'Invoiced from the ERP'),
  ('ERP-INV-000000050', '000000050', false, NULL),
  ('ERP-INV-000000051', '000000051', false, 'Invoiced from the ERP');

INSERT INTO erp.invoice_lines (reference, line, sku, qty) VALUES
  ('ERP-INV-000000014', 1, 'SH00033-M-Blue', 1.0),
  ('ERP-INV-000000021', 1, 'BA00038', 3.0),
  ('ERP-INV-000000047', 1, 'JA00004-M-Blue', 1.0),
  ('ERP-INV-000000051', 1, 'HO00040-M-Green', 1.0);

INSERT INTO erp.shipments (reference, order_increment_id, notify, items, tracks) VALUES
  ('WMS-PARCEL-000000001', '000000001', false, '[]', '[{"track_number": "1Z00000001", "carrier_code": "ups", "title": "UPS Standard"}]'),
  ('WMS-PARCEL-000000002', '000000002', false, '[{"sku": "BA00024", "qty": 1.0}]', '[{"track_number": "1Z00000002", "carrier_code": "ups", "title": "UPS Standard"}]'),
  ('WMS-PARCEL-000000005', '000000005', false, '[]', '[{"track_number": "1Z00000005", "carrier_code": "ups", "title": "UPS Standard"}]'),
  ('WMS-PARCEL-000000011', '000000011', false, '[]', '[{"track_number": "1Z00000011", "carrier_code": "ups", "title": "UPS Standard"}]'),
  ('WMS-PARCEL-000000017', '000000017', false, '[]', '[{"track_number": "1Z00000017", "carrier_code": "ups", "title": "UPS Standard"}]'),
  ('WMS-PARCEL-000000020', '000000020', false, '[{"sku": "JA00016-S-Green", "qty": 1.0}]', '[{"track_number": "1Z00000020", "carrier_code": "ups", "title": "UPS Standard"}]'),
  ('WMS-PARCEL-000000023', '000000023', false, '[]', '[{"track_number": "1Z00000023", "carrier_code": "ups", "title": "UPS Standard"}]'),
  ('WMS-PARCEL-000000024', '000000024', false, '[]', '[{"track_number": "1Z00000024", "carrier_code": "ups", "title": "UPS Standard"}]');
