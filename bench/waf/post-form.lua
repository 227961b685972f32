-- A 2 KB application/x-www-form-urlencoded POST (a checkout form with a free-text note), the
-- "2 KB urlencoded POST" kind of bench/waf/run.ts. wrk builds the request from these fields.
wrk.method = "POST"
wrk.path = "/checkout"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"

local fields = {
  "first_name=Ada", "last_name=Lovelace", "email=ada%40example.com", "phone=%2B44+20+7946+0000",
  "street=12+St+James%27s+Square", "city=London", "postcode=SW1Y+4JH", "country=GB",
  "shipping=standard", "payment=card", "card_holder=Ada+Lovelace", "coupon=AUTUMN10",
  "gift_wrap=0", "newsletter=1", "cart_id=7f3c2a9e41b84d0c", "currency=GBP",
}
local words = { "please", "leave", "the", "parcel", "with", "the", "neighbour", "at", "number",
  "fourteen", "if", "nobody", "answers", "the", "door", "thank", "you", "very", "much" }
local body = table.concat(fields, "&") .. "&note="
local i = 0
while #body < 2048 do
  i = i + 1
  body = body .. words[(i - 1) % #words + 1] .. "+"
end
wrk.body = string.sub(body, 1, 2048)
