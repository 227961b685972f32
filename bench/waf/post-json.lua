-- A ~1 KB application/json POST (a cart update from a shop front-end), the "JSON POST" kind of
-- bench/waf/run.ts. wrk builds the request from these fields.
wrk.method = "POST"
wrk.path = "/api/cart"
wrk.headers["Content-Type"] = "application/json"

local items = {}
for n = 1, 8 do
  items[n] = string.format(
    '{"sku":"MUG-%04d","name":"Rampart mug %d","quantity":%d,"price":12.5,"options":{"colour":"blue","gift":false}}',
    n, n, n % 3 + 1)
end
wrk.body = '{"cart":"7f3c2a9e41b84d0c","customer":{"email":"ada@example.com","name":"Ada Lovelace"},'
  .. '"items":[' .. table.concat(items, ",") .. '],"coupon":"AUTUMN10","note":"leave at the door"}'
