/**
 * The block menu: search and categories; drag a block onto the canvas or press it
 * (click or Enter) to drop it in the middle of the view.
 */
import { memo, useDeferredValue, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import type { BlockInfo } from "../api/types";
import { Icon } from "../ui/Icon";
import { DRAG_TYPE } from "./lib/dnd";
import { displayName, primaryCategory } from "./lib/blockName";
import { searchBlocks } from "./lib/searchBlocks";

interface BlockMenuProps {
  blocks: BlockInfo[];
  onAdd: (blockId: string) => void;
  searchRef?: React.Ref<HTMLInputElement>;
}

export const BlockMenu = memo(function BlockMenu({ blocks, onAdd, searchRef }: BlockMenuProps) {
  const { t } = useTranslation();
  const [query, setQuery] = useState("");
  const [category, setCategory] = useState<string | null>(null);
  const deferred = useDeferredValue(query);
  const categories = useMemo(
    () => [...new Set(blocks.flatMap((b) => b.categories.map((c) => c.category)))].sort(),
    [blocks],
  );
  const found = useMemo(() => searchBlocks(blocks, deferred, category), [blocks, deferred, category]);
  return (
    <aside className="block-menu" aria-label={t("blockMenu.title")} data-testid="block-menu">
      <div className="block-menu-search">
        <Icon name="search" />
        <input
          ref={searchRef}
          className="input"
          type="search"
          value={query}
          placeholder={t("blockMenu.search")}
          aria-label={t("blockMenu.search")}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key !== "Enter") return;
            // The list may still show an older query (it is deferred): search what was typed.
            const first = searchBlocks(blocks, query, category)[0];
            if (first) onAdd(first.id);
          }}
        />
      </div>
      <div className="chips" role="group" aria-label={t("blockMenu.categories")}>
        <button
          className={category === null ? "chip active" : "chip"}
          aria-pressed={category === null}
          onClick={() => setCategory(null)}
        >
          {t("blockMenu.all")}
        </button>
        {categories.map((c) => (
          <button
            key={c}
            className={category === c ? "chip active" : "chip"}
            aria-pressed={category === c}
            onClick={() => setCategory(category === c ? null : c)}
          >
            {t(`category.${c}`, { defaultValue: c })}
          </button>
        ))}
      </div>
      <ul className="block-list" aria-label={t("blockMenu.results", { count: found.length })}>
        {found.map((block) => (
          <li key={block.id}>
            <button
              className="block-item"
              draggable
              data-testid={`block-item-${block.name}`}
              onDragStart={(e) => {
                e.dataTransfer.setData(DRAG_TYPE, block.id);
                e.dataTransfer.effectAllowed = "move";
              }}
              onClick={() => onAdd(block.id)}
              title={t("blockMenu.addHint")}
            >
              <span className="block-item-cat" data-category={primaryCategory(block)} />
              <span className="grow">
                <span className="block-item-name">{displayName(block)}</span>
                <span className="block-item-desc">{block.description}</span>
              </span>
            </button>
          </li>
        ))}
        {found.length === 0 && <li className="empty-small">{t("blockMenu.none")}</li>}
      </ul>
    </aside>
  );
});
