/** The demo shop's fixed catalogue. */
export interface Product {
  readonly id: number;
  readonly name: string;
  readonly price: number;
  readonly stock: number;
}

export const catalog: readonly Product[] = [
  { id: 1, name: "Rampart mug", price: 12.5, stock: 120 },
  { id: 2, name: "Firewall hoodie", price: 49, stock: 40 },
  { id: 3, name: "Rate-limit stickers", price: 3.2, stock: 1000 },
  { id: 4, name: "Incident commander cap", price: 19.9, stock: 75 },
  { id: 5, name: "O'Reilly's pager duty handbook", price: 35, stock: 12 },
];

export function findProduct(id: number): Product | undefined {
  return catalog.find((p) => p.id === id);
}
